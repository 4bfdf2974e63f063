namespace OffloadSecurity.CloudSandbox.Aws.Ecr;

/// <summary>Real CVEs in packages that container images carry, as ECR basic and enhanced (Inspector) scanning report them.</summary>
internal static class EcrCatalog
{
    /// <param name="Severity">ECR's severity; UNTRIAGED for CVEs the vendor has not rated yet (enhanced scanning only).</param>
    /// <param name="Score">CVSS v3.1 base score; null when not rated.</param>
    public sealed record Vulnerability(
        string Id, string Package, string Version, string? FixedIn, string PackageManager, string Severity, double? Score, string? Vector,
        string Description);

    public static readonly Vulnerability[] Vulnerabilities =
    [
        new("CVE-2021-44228", "log4j-core", "2.14.1", "2.15.0", "JAR", "CRITICAL", 10.0, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
            "Apache Log4j2 JNDI features do not protect against attacker controlled LDAP and other JNDI related endpoints."),
        new("CVE-2023-37920", "certifi", "2022.12.7", "2023.7.22", "PYTHONPKG", "CRITICAL", 9.8, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "Certifi removes e-Tugra root certificates from its root store."),
        new("CVE-2023-4863", "libwebp", "1.2.4", "1.3.2", "OS", "HIGH", 8.8, "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
            "Heap buffer overflow in libwebp allows a remote attacker to perform an out of bounds memory write via a crafted HTML page."),
        new("CVE-2024-6387", "openssh", "8.9p1", "9.8p1", "OS", "HIGH", 8.1, "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "A signal handler race condition in OpenSSH's server (sshd) may allow unauthenticated remote code execution."),
        new("CVE-2023-44487", "nghttp2", "1.51.0", "1.57.0", "OS", "HIGH", 7.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
            "The HTTP/2 protocol allows a denial of service (server resource consumption) because request cancellation can reset many streams quickly."),
        new("CVE-2022-25883", "semver", "7.5.1", "7.5.2", "NPM", "HIGH", 7.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
            "Versions of the package semver before 7.5.2 are vulnerable to Regular Expression Denial of Service (ReDoS)."),
        new("CVE-2022-32149", "golang.org/x/text", "v0.3.7", "0.3.8", "GOMOD", "HIGH", 7.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
            "An attacker may cause a denial of service by crafting an Accept-Language header which ParseAcceptLanguage will take significant time to parse."),
        new("CVE-2023-2650", "openssl", "1.1.1t", "1.1.1u", "OS", "MEDIUM", 6.5, "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H",
            "Processing some specially crafted ASN.1 object identifiers or data containing them may be very slow."),
        new("CVE-2022-29824", "libxml2", "2.9.4+dfsg1", "2.9.4+dfsg1-7+deb10u4", "OS", "MEDIUM", 6.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
            "In libxml2 before 2.9.14, several buffer handling functions do not check for integer overflows."),
        new("CVE-2019-5188", "e2fsprogs", "1.44.1-1ubuntu1.1", "1.44.1-1ubuntu1.3", "OS", "MEDIUM", 6.7, "CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H",
            "A code execution vulnerability exists in the directory rehashing functionality of E2fsprogs e2fsck 1.45.4."),
        new("CVE-2023-28531", "openssh-client", "8.9p1", null, "OS", "LOW", 3.7, "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N",
            "ssh-add in OpenSSH before 9.3 adds smartcard keys to ssh-agent without the intended per-hop destination constraints."),
        new("CVE-2024-37021", "linux", "4.19.118", null, "OS", "UNTRIAGED", null, null,
            "In the Linux kernel, a fpga manager issue has been resolved; the vendor has not rated it yet."),
    ];
}
