using OffloadSecurity.Credentials.Accounts;

namespace OffloadSecurity.Credentials.Tests.Accounts;

public class KubernetesTargetTests
{
    private static readonly ProviderTestData Data = ProviderTestData.Shared;

    public static TheoryData<string> MalformedKubeconfigs =>
    [
        "\0\u0001\u0002",
        "[]",
        "- a\n- b",
        "42",
        "clusters: 7",
        "clusters: {a: b}",
        "users:\n- name: u\n  user: [1, 2]",
        "current-context: [a, b]",
        "clusters:\n- cluster:\n    insecure-skip-tls-verify: maybe\n  name: c",
        "clusters: !!python/object:os.system [\"id\"]",
        "a: &a [x, x]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\nusers: [*c, *c, *c]",
        new string('[', 5000),
        "current-context: prod\ncontexts:\n- context: {cluster: *missing}\n  name: prod",
        "key: 'unterminated",
    ];

    [Theory]
    [MemberData(nameof(MalformedKubeconfigs))]
    public void A_malformed_kubeconfig_is_reported_never_thrown(string kubeconfig)
    {
        foreach (var text in new[] { kubeconfig, kubeconfig + "\ntoken: " + Data.KubeToken })
        {
            var errors = new List<(string Field, string Message)>();

            var target = KubernetesTarget.Read(new KubernetesConnection { Kubeconfig = text }, (f, m) => errors.Add((f, m)));

            target.ShouldBeNull();
            errors.ShouldNotBeEmpty();
            errors.ShouldAllBe(e => e.Field == "kubernetes.kubeconfig" && !e.Message.Contains(Data.KubeToken));
        }
    }

    [Fact]
    public void Reads_the_current_context_of_a_kubeconfig_written_by_kubectl()
    {
        var target = KubernetesTarget.Read(new KubernetesConnection { Kubeconfig = Data.Kubeconfig() }, (f, m) => throw new ShouldAssertException($"{f}: {m}"))!;

        target.ServerUrl.ShouldBe(ProviderTestData.KubeServer);
        target.ServerField.ShouldBe("kubernetes.kubeconfig");
        target.ContextName.ShouldBe("prod");
        target.ClusterName.ShouldBe("prod-cluster");
        target.UserName.ShouldBe("prod-scanner");
        target.Namespace.ShouldBe("offload");
        target.Token.ShouldBe(Data.KubeToken);
        target.CertificateAuthorityData.ShouldBe(Data.CertificateAuthorityData);
        target.ToString().ShouldNotContain(Data.KubeToken);
    }

    [Fact]
    public void Switching_the_current_context_switches_cluster_and_credentials()
    {
        var kubeconfig = Data.Kubeconfig(currentContext: "staging");

        var target = KubernetesTarget.Read(new KubernetesConnection { Kubeconfig = kubeconfig }, (f, m) => throw new ShouldAssertException($"{f}: {m}"))!;

        target.ServerUrl.ShouldBe("https://other-cluster.example.com");
        target.Token.ShouldBe(Data.OtherContextToken);
        target.UserName.ShouldBe("staging-admin");
    }
}
