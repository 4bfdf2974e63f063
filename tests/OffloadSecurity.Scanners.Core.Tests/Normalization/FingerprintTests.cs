using OffloadSecurity.Scanners.Core.Normalization;

namespace OffloadSecurity.Scanners.Core.Tests.Normalization;

public sealed class FingerprintTests
{
    private const string Tenant = "tenant-a";
    private const string Source = "aws.securityhub";
    private const string NativeId = "arn:aws:securityhub:us-east-1:123456789012:finding/1";
    private static readonly Guid Account = Guid.Parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301");

    // Pinned values were computed independently with python3 hashlib over the documented encoding:
    // sha256(for each part: 4-byte big-endian UTF-8 length + UTF-8 bytes).hexdigest()[:32]
    [Fact]
    public void Finding_fingerprint_matches_the_independently_computed_value()
    {
        Fingerprint.ForFinding(Tenant, Account, Source, NativeId).ShouldBe("56dd6b52524c86c3de4e07ea5426100c");
    }

    [Fact]
    public void Workload_check_fingerprint_matches_the_independently_computed_value()
    {
        Fingerprint.ForWorkloadCheck(Tenant, "prod", "default", "Deployment", "web", "K8S-001")
            .ShouldBe("e44398019a4bc70e64805489a72c93fe");
    }

    [Fact]
    public void Non_ascii_components_are_hashed_as_utf8()
    {
        Fingerprint.ForFinding("tenant-ä", Account, Source, "ü").ShouldBe("0d8ba507c15704f5f7f4adb32133ab4a");
    }

    [Fact]
    public void Same_inputs_give_the_same_lowercase_hex_fingerprint()
    {
        var first = Fingerprint.ForFinding(Tenant, Account, Source, NativeId);
        var second = Fingerprint.ForFinding(Tenant, Account, Source, NativeId);

        second.ShouldBe(first);
        first.Length.ShouldBe(Fingerprint.Length);
        first.ShouldMatch("^[0-9a-f]{32}$");
    }

    [Theory]
    [InlineData("tenant-b", null, Source, NativeId)]
    [InlineData(Tenant, "00000000-0000-0000-0000-000000000001", Source, NativeId)]
    [InlineData(Tenant, null, "aws.securityhub.import", NativeId)]
    [InlineData(Tenant, null, Source, NativeId + "x")]
    public void Finding_fingerprint_changes_when_any_component_changes(
        string tenant, string? account, string source, string nativeId)
    {
        var changed = Fingerprint.ForFinding(tenant, account is null ? Account : Guid.Parse(account), source, nativeId);

        changed.ShouldNotBe(Fingerprint.ForFinding(Tenant, Account, Source, NativeId));
    }

    [Theory]
    [InlineData("tenant-b", "prod", "default", "Deployment", "web", "K8S-001")]
    [InlineData(Tenant, "stage", "default", "Deployment", "web", "K8S-001")]
    [InlineData(Tenant, "prod", "kube-system", "Deployment", "web", "K8S-001")]
    [InlineData(Tenant, "prod", "default", "DaemonSet", "web", "K8S-001")]
    [InlineData(Tenant, "prod", "default", "Deployment", "api", "K8S-001")]
    [InlineData(Tenant, "prod", "default", "Deployment", "web", "K8S-002")]
    public void Workload_check_fingerprint_changes_when_any_component_changes(
        string tenant, string cluster, string ns, string kind, string name, string checkId)
    {
        var changed = Fingerprint.ForWorkloadCheck(tenant, cluster, ns, kind, name, checkId);

        changed.ShouldNotBe(Fingerprint.ForWorkloadCheck(Tenant, "prod", "default", "Deployment", "web", "K8S-001"));
    }

    [Fact]
    public void Moving_a_separator_between_components_gives_a_different_fingerprint()
    {
        var left = Fingerprint.ForWorkloadCheck(Tenant, "a|b", "c", "Pod", "p", "K8S-001");
        var right = Fingerprint.ForWorkloadCheck(Tenant, "a", "b|c", "Pod", "p", "K8S-001");

        left.ShouldNotBe(right);
    }

    [Fact]
    public void Moving_text_between_source_and_native_id_gives_a_different_fingerprint()
    {
        var left = Fingerprint.ForFinding(Tenant, Account, "aws.security", "hub:x");
        var right = Fingerprint.ForFinding(Tenant, Account, "aws.securityhub:", "x");

        left.ShouldNotBe(right);
    }

    [Fact]
    public void Cluster_scoped_objects_use_an_empty_namespace_distinct_from_a_named_one()
    {
        var clusterScoped = Fingerprint.ForWorkloadCheck(Tenant, "prod", "", "ClusterRole", "admin", "K8S-010");
        var namespaced = Fingerprint.ForWorkloadCheck(Tenant, "prod", "default", "ClusterRole", "admin", "K8S-010");

        clusterScoped.ShouldNotBe(namespaced);
    }

    [Fact]
    public void Empty_native_id_is_rejected_naming_the_parameter()
    {
        var error = Should.Throw<ArgumentException>(() => Fingerprint.ForFinding(Tenant, Account, Source, ""));

        error.ParamName.ShouldBe("nativeId");
    }
}
