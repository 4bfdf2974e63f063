using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OffloadSecurity.Cli.Commands;
using OffloadSecurity.Cli.Commands.Accounts;
using OffloadSecurity.Contracts;
using OffloadSecurity.Credentials.Accounts;

namespace OffloadSecurity.Cli.Tests;

/// <summary>
/// Azure, GCP, Kubernetes and registry accounts connected through the CLI to the real standalone platform (no stand-in):
/// the credentials service validates, tests and stores them; <c>accounts show</c> and <c>list</c> print their
/// non-secret settings and rotation warnings, never a secret. No test needs the network: the servers are literal public
/// addresses of the documentation range (203.0.113.0/24), which need no DNS lookup and are never connected to.
/// </summary>
[Collection(DemoPlatformCollection.Name)]
public sealed class ProviderAccountsAgainstDemoPlatformTests(DemoPlatform demo)
{
    private const string KubernetesServer = "https://203.0.113.10:6443";

    private RunningPlatform Platform => demo.Platform;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Azure_and_kubernetes_accounts_connect_show_their_settings_and_warnings_list_as_json_and_delete()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (tenantId, clientId, subscriptionId) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var clientSecret = $"azure~Secret.{Guid.NewGuid():N}";
        var expires = DateTimeOffset.UtcNow.AddDays(10);
        var expiresText = expires.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var expiresAt = DateTimeOffset.Parse(expiresText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var (token, signature) = ServiceAccountToken("system:serviceaccount:security:offload-scanner");
        var kubeconfig = await FileAsync($"kubeconfig-{suffix}", $"""
            apiVersion: v1
            kind: Config
            current-context: prod-admin
            clusters:
            - name: prod
              cluster:
                server: {KubernetesServer}
            - name: staging
              cluster:
                server: https://203.0.113.11:6443
            contexts:
            - name: prod-admin
              context:
                cluster: prod
                user: scanner
                namespace: security
            - name: staging
              context:
                cluster: staging
                user: scanner
            users:
            - name: scanner
              user:
                token: {token}
            """);

        var azureConnect = await RunAsync(["accounts", "connect", "azure", "--name", $"azure {suffix}", "--tenant-id", tenantId, "--client-id", clientId,
            "--client-secret-stdin", "--secret-expires", expiresText, "--subscription-id", subscriptionId, "--json"], clientSecret + "\n");
        var k8sConnect = await RunAsync(["accounts", "connect", "kubernetes", "--name", $"cluster {suffix}", "--kubeconfig", kubeconfig, "--json"]);

        azureConnect.ExitCode.ShouldBe(ExitCodes.Ok, azureConnect.ToString());
        k8sConnect.ExitCode.ShouldBe(ExitCodes.Ok, k8sConnect.ToString());
        var azure = Deserialize<AccountView>(azureConnect);
        var k8s = Deserialize<AccountView>(k8sConnect);
        azure.Provider.ShouldBe(CloudProvider.Azure);
        k8s.Provider.ShouldBe(CloudProvider.Kubernetes);
        var expiryWarning = $"The client secret expires on {expires.UtcDateTime:yyyy-MM-dd} (in 10 days): rotate it before then.";

        var azureShow = await RunAsync(["accounts", "show", azure.Id.ToString()]);
        var k8sShow = await RunAsync(["accounts", "show", k8s.Id.ToString()]);
        var table = await RunAsync(["accounts", "list"]);
        var listJson = await RunAsync(["accounts", "list", "--json"]);
        var azureShowJson = await RunAsync(["accounts", "show", azure.Id.ToString(), "--json"]);

        azureShow.ExitCode.ShouldBe(ExitCodes.Ok, azureShow.ToString());
        ShouldHaveRow(azureShow, "Provider", "Azure");
        ShouldHaveRow(azureShow, "Tenant id", tenantId);
        ShouldHaveRow(azureShow, "Client id", clientId);
        ShouldHaveRow(azureShow, "Subscription id", subscriptionId);
        ShouldHaveRow(azureShow, "Secret expires", $"{expiresAt:u} (in 10 days)");
        ShouldHaveRow(azureShow, "Credentials", "stored (encrypted)");
        ShouldHaveRow(azureShow, "Warning", $"{AccountDisplay.WarningMark} {expiryWarning}");

        k8sShow.ExitCode.ShouldBe(ExitCodes.Ok, k8sShow.ToString());
        ShouldHaveRow(k8sShow, "Provider", "Kubernetes");
        ShouldHaveRow(k8sShow, "Server", KubernetesServer);
        ShouldHaveRow(k8sShow, "Context", "prod-admin");
        ShouldHaveRow(k8sShow, "Cluster", "prod");
        ShouldHaveRow(k8sShow, "User", "scanner");
        ShouldHaveRow(k8sShow, "Namespace", "security");
        ShouldHaveRow(k8sShow, "Authentication", "bearer token");
        ShouldHaveRow(k8sShow, "Connected as", $"system:serviceaccount:security:offload-scanner @ {KubernetesServer}");
        k8sShow.Output.ShouldNotContain("Warning");
        k8sShow.Output.ShouldNotContain("Regions");

        // The list: a highlighted count in the table, and each warning in full under it (a line of its own, never wrapped).
        table.ExitCode.ShouldBe(ExitCodes.Ok, table.ToString());
        table.Output.ShouldContain("Connection");
        RowOf(table, azure.Id).ShouldContain($"{AccountDisplay.WarningMark} 1");
        RowOf(table, k8s.Id).ShouldNotContain(AccountDisplay.WarningMark);
        table.Output.ShouldContain("\nWarnings:\n");
        table.Output.ShouldContain($"\n  {AccountDisplay.WarningMark} 'azure {suffix}' ({azure.Id}): {expiryWarning}\n");

        // --json: both accounts with their provider and blocks, and the warnings exactly as the API gives them.
        listJson.ExitCode.ShouldBe(ExitCodes.Ok, listJson.ToString());
        var listed = Deserialize<AccountView[]>(listJson);
        var listedAzure = listed.Single(a => a.Id == azure.Id);
        var listedK8s = listed.Single(a => a.Id == k8s.Id);
        listedAzure.Provider.ShouldBe(CloudProvider.Azure);
        listedAzure.Azure.ShouldBe(new AzureAccountView(tenantId, clientId, subscriptionId, expiresAt, true));
        listedAzure.Warnings.ShouldBe([expiryWarning]);
        listedK8s.Provider.ShouldBe(CloudProvider.Kubernetes);
        listedK8s.Kubernetes.ShouldBe(new KubernetesAccountView(KubernetesAuthType.Token, KubernetesServer, "prod-admin", "prod", "scanner", "security", false, true));
        listedK8s.Warnings.ShouldBeEmpty();
        var fromApi = await ApiAsync($"api/accounts/{azure.Id}");
        JsonNode.DeepEquals(JsonNode.Parse(azureShowJson.Output)!["warnings"], fromApi["warnings"]).ShouldBeTrue(azureShowJson.Output);
        JsonNode.DeepEquals(JsonNode.Parse(listJson.Output)!.AsArray().Single(a => a!["id"]!.GetValue<Guid>() == azure.Id)!["warnings"], fromApi["warnings"])
            .ShouldBeTrue(listJson.Output);

        foreach (var result in new[] { azureConnect, k8sConnect, azureShow, k8sShow, table, listJson, azureShowJson })
        {
            (result.Output + result.Error).ShouldNotContain(clientSecret);
            (result.Output + result.Error).ShouldNotContain(signature);
        }

        // Deleted by a script: gone from show and list.
        var deleteAzure = await RunAsync(["accounts", "delete", azure.Id.ToString(), "--yes"]);
        var deleteK8s = await RunAsync(["accounts", "delete", k8s.Id.ToString(), "--yes", "--json"]);

        deleteAzure.ExitCode.ShouldBe(ExitCodes.Ok, deleteAzure.ToString());
        deleteAzure.Output.ShouldContain($"Deleted 'azure {suffix}' ({azure.Id})");
        deleteK8s.ExitCode.ShouldBe(ExitCodes.Ok, deleteK8s.ToString());
        Deserialize<DeletedAccount>(deleteK8s).ShouldBe(new DeletedAccount(k8s.Id, $"cluster {suffix}", "Kubernetes", Deleted: true));
        (await RunAsync(["accounts", "show", azure.Id.ToString()])).ExitCode.ShouldBe(ExitCodes.Failed);
        (await RunAsync(["accounts", "show", k8s.Id.ToString()])).ExitCode.ShouldBe(ExitCodes.Failed);
        Deserialize<AccountView[]>(await RunAsync(["accounts", "list", "--json"])).ShouldNotContain(a => a.Id == azure.Id || a.Id == k8s.Id);
    }

    [Fact]
    public async Task Gcp_and_registry_accounts_show_their_settings_and_a_gcp_key_older_than_60_days_is_flagged()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        using var rsa = RSA.Create(2048);
        var privateKey = rsa.ExportPkcs8PrivateKeyPem();
        var keyJson = new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = "acme-scan-prod",
            ["private_key_id"] = keyId,
            ["private_key"] = privateKey + "\n",
            ["client_email"] = "offload-scanner@acme-scan-prod.iam.gserviceaccount.com",
            ["client_id"] = "108427133457218846123",
            ["token_uri"] = "https://oauth2.googleapis.com/token",
        }.ToJsonString();
        var keyFile = await FileAsync($"gcp-{suffix}.json", keyJson);
        var created = DateTimeOffset.UtcNow.Date.AddDays(-75);
        var registryToken = $"reg_pat_{Guid.NewGuid():N}";

        var gcpConnect = await RunAsync(["accounts", "connect", "gcp", "--name", $"gcp {suffix}", "--key-file", keyFile, "--project-id", "acme-logs-prod",
            "--key-created", created.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "--json"]);
        var registryConnect = await RunAsync(["accounts", "connect", "registry", "--name", $"registry {suffix}", "--registry", "203.0.113.20:5000",
            "--username", "ci-reader", "--token-stdin", "--repository", "team/api", "--repository", "team/web", "--json"], registryToken);

        gcpConnect.ExitCode.ShouldBe(ExitCodes.Ok, gcpConnect.ToString());
        registryConnect.ExitCode.ShouldBe(ExitCodes.Ok, registryConnect.ToString());
        var gcp = Deserialize<AccountView>(gcpConnect);
        var registry = Deserialize<AccountView>(registryConnect);
        try
        {
            var gcpShow = await RunAsync(["accounts", "show", gcp.Id.ToString()]);
            var registryShow = await RunAsync(["accounts", "show", registry.Id.ToString()]);
            var table = await RunAsync(["accounts", "list"]);
            var listJson = await RunAsync(["accounts", "list", "--json"]);

            gcpShow.ExitCode.ShouldBe(ExitCodes.Ok, gcpShow.ToString());
            ShouldHaveRow(gcpShow, "Client email", "offload-scanner@acme-scan-prod.iam.gserviceaccount.com");
            ShouldHaveRow(gcpShow, "Key id", keyId);
            ShouldHaveRow(gcpShow, "Project", "acme-logs-prod");
            ShouldHaveRow(gcpShow, "Key created", $"{new DateTimeOffset(created, TimeSpan.Zero):u} (75d ago)");
            var ageWarning = $"The service-account key {keyId} is 75 days old (created {created:yyyy-MM-dd}): rotate by 90 days (by {created.AddDays(90):yyyy-MM-dd}).";
            ShouldHaveRow(gcpShow, "Warning", $"{AccountDisplay.WarningMark} {ageWarning}");

            registryShow.ExitCode.ShouldBe(ExitCodes.Ok, registryShow.ToString());
            ShouldHaveRow(registryShow, "Registry", "203.0.113.20:5000");
            ShouldHaveRow(registryShow, "User", "ci-reader");
            ShouldHaveRow(registryShow, "Repositories", "team/api, team/web");
            ShouldHaveRow(registryShow, "Credentials", "stored (encrypted)");
            registryShow.Output.ShouldNotContain("Warning");

            RowOf(table, gcp.Id).ShouldContain($"{AccountDisplay.WarningMark} 1");
            RowOf(table, registry.Id).ShouldContain("203.0.113.20:5000 as ci-reader");
            table.Output.ShouldContain($"  {AccountDisplay.WarningMark} 'gcp {suffix}' ({gcp.Id}): {ageWarning}\n");

            var listed = Deserialize<AccountView[]>(listJson);
            var listedGcp = listed.Single(a => a.Id == gcp.Id);
            listedGcp.Provider.ShouldBe(CloudProvider.Gcp);
            listedGcp.Gcp.ShouldNotBeNull().ClientEmail.ShouldBe("offload-scanner@acme-scan-prod.iam.gserviceaccount.com");
            listedGcp.Warnings.ShouldBe([ageWarning]);
            var listedRegistry = listed.Single(a => a.Id == registry.Id);
            listedRegistry.Provider.ShouldBe(CloudProvider.Registry);
            listedRegistry.Registry.ShouldNotBeNull().Repositories.ShouldBe(["team/api", "team/web"]);

            var keyBody = privateKey.Split('\n')[1];
            foreach (var result in new[] { gcpConnect, registryConnect, gcpShow, registryShow, table, listJson })
            {
                (result.Output + result.Error).ShouldNotContain("PRIVATE KEY");
                (result.Output + result.Error).ShouldNotContain(keyBody);
                (result.Output + result.Error).ShouldNotContain(registryToken);
            }
        }
        finally
        {
            await RunAsync(["accounts", "delete", gcp.Id.ToString(), "--yes"]);
            await RunAsync(["accounts", "delete", registry.Id.ToString(), "--yes"]);
        }
    }

    [Theory]
    [InlineData("kubeconfig", "https://169.254.169.254/", "a cloud metadata address")]
    [InlineData("kubeconfig", "https://127.0.0.1:6443", "a loopback address")]
    [InlineData("server", "https://169.254.169.254/", "a cloud metadata address")]
    [InlineData("server", "https://127.0.0.1:6443", "a loopback address")]
    public async Task A_cluster_on_the_metadata_or_loopback_address_is_refused_naming_the_field_and_nothing_is_stored(string by, string server, string kind)
    {
        var name = $"refused {Guid.NewGuid():N}";
        var (token, _) = ServiceAccountToken("system:serviceaccount:kube-system:default");
        string[] target = by == "kubeconfig"
            ? ["--kubeconfig", await FileAsync($"kubeconfig-{Guid.NewGuid():N}", $"""
                apiVersion: v1
                kind: Config
                current-context: internal
                clusters:
                - name: internal
                  cluster:
                    server: "{server}"
                contexts:
                - name: internal
                  context:
                    cluster: internal
                    user: sa
                users:
                - name: sa
                  user:
                    token: "{token}"
                """)]
            : ["--server", server, "--token-stdin"];

        var result = await RunAsync(["accounts", "connect", "kubernetes", "--name", name, .. target], token);

        result.ExitCode.ShouldBe(ExitCodes.Failed, result.ToString());
        result.Error.ShouldContain("400 Bad Request on POST");
        result.Error.ShouldContain(by == "kubeconfig"
            ? $"kubernetes.kubeconfig (--kubeconfig): The server of the current context's cluster: the host points at {kind}, which the service never connects to."
            : $"kubernetes.serverUrl (--server): The host points at {kind}, which the service never connects to.");
        (result.Output + result.Error).ShouldNotContain(token);
        Deserialize<AccountView[]>(await RunAsync(["accounts", "list", "--json"])).ShouldNotContain(a => a.DisplayName == name);
        StoreFilesContain(name).ShouldBeFalse();
    }

    private Task<CliResult> RunAsync(string[] args, string stdin = "") => Offload.RunAsync([.. args, .. Platform.Target], stdin, Ct);

    private static T Deserialize<T>(CliResult result)
        where T : class =>
        JsonSerializer.Deserialize<T>(result.Output, PlatformClient.Json).ShouldNotBeNull(result.ToString());

    /// <summary>The account as the API itself returns it, without the CLI in between.</summary>
    private async Task<JsonNode> ApiAsync(string path)
    {
        using var http = new HttpClient { BaseAddress = Platform.Url };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Platform.AdminToken);
        return JsonNode.Parse(await http.GetStringAsync(path, Ct))!;
    }

    /// <summary>A line of the show table: the label, then the value (the cell padding and border between them).</summary>
    private static void ShouldHaveRow(CliResult result, string label, string value) =>
        result.Output.Split('\n').ShouldContain(
            line => line.Contains($" {label} ", StringComparison.Ordinal) && line.TrimEnd().TrimEnd('│', '|').TrimEnd().EndsWith(value, StringComparison.Ordinal),
            $"no row '{label}' = '{value}' in:\n{result.Output}");

    private static string RowOf(CliResult result, Guid id) =>
        result.Output.Split('\n').FirstOrDefault(line => line.Contains(id.ToString(), StringComparison.Ordinal) && !line.Contains('\'', StringComparison.Ordinal))
            .ShouldNotBeNull($"no row of {id} in:\n{result.Output}");

    /// <summary>Whether any of the platform's SQLite files holds <paramref name="text"/> (the store itself, not the API).</summary>
    private bool StoreFilesContain(string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        var files = Directory.GetFiles(Platform.DataDirectory, "*.db*", SearchOption.AllDirectories);
        files.ShouldContain(file => Path.GetFileName(file) == "credentials.db");
        foreach (var file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            if (copy.GetBuffer().AsSpan(0, (int)copy.Length).IndexOf(needle) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private async Task<string> FileAsync(string name, string content)
    {
        var path = Path.Combine(Platform.DataDirectory, "test-files", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, content, Ct);
        return path;
    }

    /// <summary>A token shaped like a service account's JWT (unsigned: nothing verifies it), and its last part to look for in output.</summary>
    private static (string Token, string Signature) ServiceAccountToken(string subject)
    {
        static string Part(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var signature = Part(RandomNumberGenerator.GetBytes(32));
        var token = $"{Part("""{"alg":"RS256"}"""u8.ToArray())}.{Part(Encoding.UTF8.GetBytes(new JsonObject { ["sub"] = subject }.ToJsonString()))}.{signature}";
        return (token, signature);
    }
}
