using System.Text;
using OffloadSecurity.CloudSandbox.Aws.SecurityHub;
using static OffloadSecurity.CloudSandbox.Aws.SecurityHub.SecurityHubCatalog;

namespace OffloadSecurity.CloudSandbox.Aws.Ecr;

/// <summary>
/// The repositories, images and scan results of an account's registry in a region, derived from seeds so nothing is
/// stored: repository <c>i</c> and its image <c>j</c> are always the same.
/// </summary>
internal static class EcrGenerator
{
    public enum ScanKind
    {
        Basic,
        Enhanced,
    }

    public sealed record Repository(int Index, string Name, ScanKind Scanning, DateTimeOffset CreatedAt);

    /// <param name="ScanStatus">COMPLETE (basic) or ACTIVE (enhanced), IN_PROGRESS, or null when the image was never scanned.</param>
    public sealed record Image(
        Repository Repository, int Index, string Digest, IReadOnlyList<string> Tags, DateTimeOffset PushedAt, long SizeInBytes,
        string? ScanStatus, IReadOnlyList<EcrCatalog.Vulnerability> Vulnerabilities);

    public static Repository RepositoryAt(string accountId, string region, int index)
    {
        var random = NewRandom(accountId, region, $"repository/{index}");
        var team = Pick(random, Teams);
        var workload = Workloads[index % Workloads.Length] + (index >= Workloads.Length ? "-" + (index / Workloads.Length) : "");
        return new Repository(index, $"{team}/{workload}", index % 3 == 2 ? ScanKind.Enhanced : ScanKind.Basic,
            FindingGenerator.Epoch.AddDays(-300 - random.Next(400)));
    }

    public static IEnumerable<Repository> Repositories(SandboxAwsAccount account, string region) =>
        Enumerable.Range(0, account.EcrRepositories).Select(i => RepositoryAt(account.AccountId, region, i));

    public static IEnumerable<Image> Images(SandboxAwsAccount account, string region, Repository repository) =>
        Enumerable.Range(0, account.EcrImagesPerRepository).Select(j => ImageAt(account, region, repository, j));

    /// <summary>
    /// Image <paramref name="index"/> of a repository: the newest (last) is tagged <c>latest</c> too, the oldest of three
    /// or more is untagged; every fifth (counting over repositories) was never scanned, and the first
    /// <see cref="SandboxAwsAccount.EcrScansInProgress"/> of the region are still being scanned.
    /// </summary>
    public static Image ImageAt(SandboxAwsAccount account, string region, Repository repository, int index)
    {
        var random = NewRandom(account.AccountId, region, $"image/{repository.Index}/{index}");
        var count = account.EcrImagesPerRepository;
        var digest = "sha256:" + Hex(random, 64);
        List<string> tags = index == 0 && count >= 3 ? [] : [$"1.{index}.{random.Next(10)}"];
        if (index == count - 1)
        {
            tags.Add("latest");
        }

        var position = (repository.Index * count) + index;
        var status = position < account.EcrScansInProgress
            ? "IN_PROGRESS"
            : (repository.Index + index) % 5 == 4 ? null : repository.Scanning == ScanKind.Basic ? "COMPLETE" : "ACTIVE";
        var vulnerabilities = EcrCatalog.Vulnerabilities
            .Where(v => repository.Scanning == ScanKind.Enhanced || v.Severity != "UNTRIAGED")
            .OrderBy(_ => random.Next())
            .Take(random.Next(9))
            .ToList();
        return new Image(repository, index, digest, tags, FindingGenerator.Epoch.AddDays(-(count - index) * 7).AddSeconds(-random.Next(86_400)),
            25_000_000 + random.Next(400_000_000), status, vulnerabilities);
    }

    /// <summary>The image with this digest or tag in the repository, if there is one.</summary>
    public static Image? Find(SandboxAwsAccount account, string region, Repository repository, string? digest, string? tag) =>
        Images(account, region, repository).FirstOrDefault(i =>
            (digest is null || i.Digest == digest) && (tag is null || i.Tags.Contains(tag)) && (digest is not null || tag is not null));

    /// <summary>The repository with this name in the account's region, if there is one.</summary>
    public static Repository? FindRepository(SandboxAwsAccount account, string region, string name) =>
        Repositories(account, region).FirstOrDefault(r => r.Name == name);

    /// <summary>Stable 32 hex digits, e.g. an Inspector finding id.</summary>
    public static string HexFor(string accountId, string region, string salt) => Hex(NewRandom(accountId, region, salt), 32);

    private static Random NewRandom(string accountId, string region, string salt)
    {
        // FNV-1a: a stable hash (string.GetHashCode changes every run).
        var hash = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes($"ecr/{accountId}/{region}/{salt}"))
        {
            hash = (hash ^ b) * 16777619;
        }

        return new Random(unchecked((int)hash));
    }

    private static T Pick<T>(Random random, params T[] values) => values[random.Next(values.Length)];

    private static string Hex(Random random, int length)
    {
        var bytes = new byte[(length + 1) / 2];
        random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes)[..length];
    }
}
