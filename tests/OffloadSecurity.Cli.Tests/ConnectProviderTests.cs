using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using OffloadSecurity.Cli.Commands;
using OffloadSecurity.Contracts;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Cli.Tests;

/// <summary>
/// <c>accounts connect azure|gcp|kubernetes|registry</c> against a loopback stand-in for the API: the exact body sent,
/// argument validation (exit code 2, nothing sent), local file problems (exit code 1), and how the API's problems are shown.
/// </summary>
public sealed class ConnectProviderTests : IAsyncLifetime
{
    private const string PlatformToken = "platform-token";
    private const string Secret = "s3cr3t-Value~that-must-not-show";

    private readonly TempDirectory _files = new();
    private FakeApi _api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _api = await FakeApi.StartAsync();
        _api.Answer = request => request is { Method: "POST", PathAndQuery: "/api/accounts" }
            ? Results.Json(Created(request), PlatformClient.Json, statusCode: StatusCodes.Status201Created)
            : Results.NotFound();
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        _files.Dispose();
    }

    [Fact]
    public async Task Azure_posts_the_service_principal_with_the_secret_from_stdin_and_never_prints_it()
    {
        var result = await RunAsync(["accounts", "connect", "azure", "--name", "prod subscription",
            "--tenant-id", "72f988bf-86f1-41af-91ab-2d7cd011db47", "--client-id", "0f3b4c4e-1b1a-4b5e-9c59-7a4c0f8e2d11",
            "--client-secret-stdin", "--secret-expires", "2027-06-30", "--subscription-id", "9a1c2f3e-4d5b-6a7c-8e9f-0a1b2c3d4e5f"], Secret + "\n");

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        var request = _api.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("POST");
        request.PathAndQuery.ShouldBe("/api/accounts");
        request.Authorization.ShouldBe($"Bearer {PlatformToken}");
        request.ContentType.ShouldNotBeNull().ShouldStartWith("application/json");
        ShouldBeJson(request, """
            {"provider":"azure","displayName":"prod subscription","azure":{"tenantId":"72f988bf-86f1-41af-91ab-2d7cd011db47",
             "clientId":"0f3b4c4e-1b1a-4b5e-9c59-7a4c0f8e2d11","clientSecret":"s3cr3t-Value~that-must-not-show",
             "clientSecretExpiresAt":"2027-06-30T00:00:00+00:00","subscriptionId":"9a1c2f3e-4d5b-6a7c-8e9f-0a1b2c3d4e5f"}}
            """);
        result.Output.ShouldContain("Connected 'prod subscription' (");
        (result.Output + result.Error).ShouldNotContain(Secret);
    }

    [Fact]
    public async Task Azure_reads_the_secret_from_a_file_leaves_out_an_unknown_expiry_and_prints_the_account_as_json()
    {
        var secretFile = await FileAsync("azure.secret", Secret + "\n");

        var result = await RunAsync(["accounts", "connect", "azure", "--name", "dev", "--tenant-id", "contoso.onmicrosoft.com", "--client-id", "app",
            "--client-secret-file", secretFile, "--subscription-id", "sub", "--json"]);

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        ShouldBeJson(_api.Requests.ShouldHaveSingleItem(), """
            {"provider":"azure","displayName":"dev","azure":{"tenantId":"contoso.onmicrosoft.com","clientId":"app","clientSecret":"s3cr3t-Value~that-must-not-show","subscriptionId":"sub"}}
            """);
        var account = JsonSerializer.Deserialize<AccountView>(result.Output, PlatformClient.Json).ShouldNotBeNull();
        account.DisplayName.ShouldBe("dev");
        account.Provider.ShouldBe(CloudProvider.Azure);
    }

    [Theory]
    [InlineData("no secret source", "--client-secret-stdin or --client-secret-file")]
    [InlineData("two secret sources", "exactly one of --client-secret-stdin or --client-secret-file")]
    [InlineData("no subscription", "--subscription-id")]
    [InlineData("a date that is not ISO 8601", "is not an ISO 8601 date")]
    public async Task Azure_with_a_missing_or_conflicting_option_exits_2_says_what_to_give_and_sends_nothing(string problem, string message)
    {
        var secretFile = await FileAsync("azure.secret", Secret);
        string[] args = problem switch
        {
            "no secret source" => ["--subscription-id", "s"],
            "two secret sources" => ["--subscription-id", "s", "--client-secret-stdin", "--client-secret-file", secretFile],
            "no subscription" => ["--client-secret-file", secretFile],
            _ => ["--subscription-id", "s", "--client-secret-file", secretFile, "--secret-expires", "30/06/2027"],
        };

        var result = await RunAsync(["accounts", "connect", "azure", "--name", "x", "--tenant-id", "t", "--client-id", "c", .. args], Secret);

        result.ExitCode.ShouldBe(ExitCodes.Usage, result.ToString());
        result.Error.ShouldContain(message);
        result.Error.ShouldContain("offload accounts connect azure --help");
        _api.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Gcp_sends_the_key_files_contents_as_a_string_with_the_project_when_given()
    {
        var key = """
            {
              "type": "service_account",
              "project_id": "acme-prod",
              "private_key_id": "0123456789abcdef",
              "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n",
              "client_email": "scanner@acme-prod.iam.gserviceaccount.com"
            }
            """;
        var keyFile = await FileAsync("key.json", key);

        var withProject = await RunAsync(["accounts", "connect", "gcp", "--name", "acme", "--key-file", keyFile, "--project-id", "acme-logs"]);
        var withoutProject = await RunAsync(["accounts", "connect", "gcp", "--name", "acme", "--key-file", keyFile]);

        withProject.ExitCode.ShouldBe(ExitCodes.Ok, withProject.ToString());
        withoutProject.ExitCode.ShouldBe(ExitCodes.Ok, withoutProject.ToString());
        _api.Requests.Count.ShouldBe(2);
        ShouldBeJson(_api.Requests[0], new JsonObject
        {
            ["provider"] = "gcp",
            ["displayName"] = "acme",
            ["gcp"] = new JsonObject { ["serviceAccountKeyJson"] = key, ["projectId"] = "acme-logs" },
        });
        ShouldBeJson(_api.Requests[1], new JsonObject
        {
            ["provider"] = "gcp",
            ["displayName"] = "acme",
            ["gcp"] = new JsonObject { ["serviceAccountKeyJson"] = key },
        });
        (withProject.Output + withProject.Error).ShouldNotContain("PRIVATE KEY");
    }

    [Fact]
    public async Task Gcp_sends_the_keys_creation_time_for_the_rotation_warning_and_refuses_a_date_that_is_not_iso_8601()
    {
        const string Key = """{"type":"service_account","project_id":"acme-prod"}""";
        var keyFile = await FileAsync("key.json", Key);

        var dated = await RunAsync(["accounts", "connect", "gcp", "--name", "acme", "--key-file", keyFile, "--key-created", "2025-01-15"]);
        var notIso = await RunAsync(["accounts", "connect", "gcp", "--name", "acme", "--key-file", keyFile, "--key-created", "15/01/2025"]);

        dated.ExitCode.ShouldBe(ExitCodes.Ok, dated.ToString());
        ShouldBeJson(_api.Requests.ShouldHaveSingleItem(), new JsonObject
        {
            ["provider"] = "gcp",
            ["displayName"] = "acme",
            ["gcp"] = new JsonObject { ["serviceAccountKeyJson"] = Key, ["keyCreatedAt"] = "2025-01-15T00:00:00+00:00" },
        });
        notIso.ExitCode.ShouldBe(ExitCodes.Usage, notIso.ToString());
        notIso.Error.ShouldContain("--key-created '15/01/2025' is not an ISO 8601 date");
    }

    [Fact]
    public async Task Gcp_with_a_missing_key_file_exits_1_names_the_file_and_sends_nothing()
    {
        var missing = Path.Combine(_files.Path, "no-such-key.json");

        var result = await RunAsync(["accounts", "connect", "gcp", "--name", "acme", "--key-file", missing]);

        result.ExitCode.ShouldBe(ExitCodes.Failed, result.ToString());
        result.Error.ShouldContain($"--key-file: {missing} does not exist.");
        _api.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Gcp_with_a_file_that_is_not_a_service_account_key_exits_1_without_quoting_it()
    {
        var notJson = await FileAsync("notes.txt", "password=hunter2");
        var userCredentials = await FileAsync("adc.json", """{"type":"authorized_user","refresh_token":"1//secret-refresh"}""");

        var text = await RunAsync(["accounts", "connect", "gcp", "--name", "acme", "--key-file", notJson]);
        var user = await RunAsync(["accounts", "connect", "gcp", "--name", "acme", "--key-file", userCredentials]);
        var noKeyOption = await RunAsync(["accounts", "connect", "gcp", "--name", "acme"]);

        text.ExitCode.ShouldBe(ExitCodes.Failed, text.ToString());
        text.Error.ShouldContain("is not a JSON key");
        text.Error.ShouldNotContain("hunter2");
        user.ExitCode.ShouldBe(ExitCodes.Failed, user.ToString());
        user.Error.ShouldContain("'authorized_user' credentials, not a service-account key");
        user.Error.ShouldNotContain("secret-refresh");
        noKeyOption.ExitCode.ShouldBe(ExitCodes.Usage, noKeyOption.ToString());
        noKeyOption.Error.ShouldContain("--key-file");
        _api.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Kubernetes_sends_a_kubeconfig_as_text()
    {
        var kubeconfig = """
            apiVersion: v1
            kind: Config
            current-context: prod
            clusters: [{name: prod, cluster: {server: "https://10.0.0.1:6443"}}]
            contexts: [{name: prod, context: {cluster: prod, user: scanner}}]
            users: [{name: scanner, user: {token: "eyJhbGciOi.kube.token"}}]
            """;
        var file = await FileAsync("kubeconfig", kubeconfig);

        var result = await RunAsync(["accounts", "connect", "kubernetes", "--name", "prod cluster", "--kubeconfig", file]);

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        ShouldBeJson(_api.Requests.ShouldHaveSingleItem(), new JsonObject
        {
            ["provider"] = "kubernetes",
            ["displayName"] = "prod cluster",
            ["kubernetes"] = new JsonObject { ["kubeconfig"] = kubeconfig },
        });
        (result.Output + result.Error).ShouldNotContain("kube.token");
    }

    [Fact]
    public async Task Kubernetes_sends_the_server_the_token_and_the_base64_of_the_ca_pem_file()
    {
        const string Pem = "-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIUQ2E=\n-----END CERTIFICATE-----\n";
        var ca = await FileAsync("ca.pem", Pem);

        var result = await RunAsync(["accounts", "connect", "kubernetes", "--name", "edge", "--server", "https://k8s.example.com:6443",
            "--token-stdin", "--ca-file", ca], "  service-account-token\n");
        var withoutCa = await RunAsync(["accounts", "connect", "kubernetes", "--name", "edge", "--server", "https://k8s.example.com:6443",
            "--token-file", await FileAsync("sa.token", "service-account-token")]);

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        withoutCa.ExitCode.ShouldBe(ExitCodes.Ok, withoutCa.ToString());
        ShouldBeJson(_api.Requests[0], new JsonObject
        {
            ["provider"] = "kubernetes",
            ["displayName"] = "edge",
            ["kubernetes"] = new JsonObject
            {
                ["serverUrl"] = "https://k8s.example.com:6443",
                ["certificateAuthorityData"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(Pem)),
                ["token"] = "service-account-token",
            },
        });
        ShouldBeJson(_api.Requests[1], new JsonObject
        {
            ["provider"] = "kubernetes",
            ["displayName"] = "edge",
            ["kubernetes"] = new JsonObject { ["serverUrl"] = "https://k8s.example.com:6443", ["token"] = "service-account-token" },
        });
        (result.Output + result.Error).ShouldNotContain("service-account-token");
    }

    [Theory]
    [InlineData("neither", "Give either --kubeconfig <path>, or --server <url>")]
    [InlineData("both", "Give either --kubeconfig <path>, or --server <url>")]
    [InlineData("kubeconfig with a token", "--kubeconfig carries the server, the credentials and the CA")]
    [InlineData("server without a token", "--token is your token for the platform")]
    [InlineData("server that is not a url", "is not an http(s) URL")]
    public async Task Kubernetes_with_a_missing_or_conflicting_option_exits_2_and_sends_nothing(string problem, string message)
    {
        var kubeconfig = await FileAsync("kubeconfig", "apiVersion: v1\nkind: Config\n");
        string[] args = problem switch
        {
            "neither" => [],
            "both" => ["--kubeconfig", kubeconfig, "--server", "https://k8s:6443", "--token-stdin"],
            "kubeconfig with a token" => ["--kubeconfig", kubeconfig, "--token-stdin"],
            "server without a token" => ["--server", "https://k8s:6443"],
            _ => ["--server", "k8s:6443:x", "--token-stdin"],
        };

        var result = await RunAsync(["accounts", "connect", "kubernetes", "--name", "x", .. args], "token");

        result.ExitCode.ShouldBe(ExitCodes.Usage, result.ToString());
        result.Error.ShouldContain(message);
        _api.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Kubernetes_with_a_ca_file_that_is_not_a_pem_certificate_exits_1()
    {
        var notPem = await FileAsync("ca.der", "\u0001\u0002binary");

        var result = await RunAsync(["accounts", "connect", "kubernetes", "--name", "x", "--server", "https://k8s:6443", "--token-stdin", "--ca-file", notPem], "t");

        result.ExitCode.ShouldBe(ExitCodes.Failed, result.ToString());
        result.Error.ShouldContain("is not a PEM certificate");
        _api.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Registry_sends_the_user_the_access_token_and_the_repositories_with_docker_hub_by_default()
    {
        var result = await RunAsync(["accounts", "connect", "registry", "--name", "hub", "--username", "acme", "--token-stdin",
            "--repository", "acme/api", "--repository", "acme/web"], "dckr_pat_secret\n");

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        ShouldBeJson(_api.Requests.ShouldHaveSingleItem(), """
            {"provider":"registry","displayName":"hub","registry":{"registry":"docker.io","username":"acme","accessToken":"dckr_pat_secret",
             "anonymous":false,"repositories":["acme/api","acme/web"]}}
            """);
        (result.Output + result.Error).ShouldNotContain("dckr_pat_secret");
    }

    [Fact]
    public async Task Registry_anonymous_sends_no_credentials()
    {
        var result = await RunAsync(["accounts", "connect", "registry", "--name", "public", "--registry", "registry.example.com", "--anonymous",
            "--repository", "library/nginx"]);

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        ShouldBeJson(_api.Requests.ShouldHaveSingleItem(), """
            {"provider":"registry","displayName":"public","registry":{"registry":"registry.example.com","anonymous":true,"repositories":["library/nginx"]}}
            """);
    }

    [Theory]
    [InlineData("neither", "Give --username with --token-stdin or --token-file")]
    [InlineData("anonymous with a user", "--anonymous connects without credentials")]
    [InlineData("user without a token", "exactly one of --token-stdin or --token-file")]
    public async Task Registry_with_a_missing_or_conflicting_option_exits_2_and_sends_nothing(string problem, string message)
    {
        string[] args = problem switch
        {
            "neither" => [],
            "anonymous with a user" => ["--anonymous", "--username", "acme"],
            _ => ["--username", "acme"],
        };

        var result = await RunAsync(["accounts", "connect", "registry", "--name", "x", .. args]);

        result.ExitCode.ShouldBe(ExitCodes.Usage, result.ToString());
        result.Error.ShouldContain(message);
        _api.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_400_problem_is_shown_field_by_field_with_the_option_to_change_and_exits_1()
    {
        _api.Answer = _ => Results.ValidationProblem(new Dictionary<string, string[]>
        {
            ["azure.clientId"] = ["Not a GUID (the application's client id)."],
            ["azure.clientSecretExpiresAt"] = ["The secret has expired."],
        });

        var result = await RunAsync(["accounts", "connect", "azure", "--name", "x", "--tenant-id", "t", "--client-id", "not-a-guid",
            "--client-secret-stdin", "--secret-expires", "2020-01-01T00:00:00Z", "--subscription-id", "s"], Secret);

        result.ExitCode.ShouldBe(ExitCodes.Failed, result.ToString());
        result.Error.ShouldContain("400 Bad Request on POST");
        result.Error.ShouldContain("azure.clientId (--client-id): Not a GUID (the application's client id).");
        result.Error.ShouldContain("azure.clientSecretExpiresAt (--secret-expires): The secret has expired.");
        result.Error.ShouldContain("Correct the values above and run the command again.");
        (result.Output + result.Error).ShouldNotContain(Secret);
    }

    [Fact]
    public async Task A_failed_connection_test_422_says_the_provider_refused_the_credentials()
    {
        _api.Answer = _ => Results.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]>
        {
            ["registry.accessToken"] = ["Docker Hub refused the login: incorrect username or access token."],
        })
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "The connection test failed.",
            Detail = "Docker Hub refused the login: incorrect username or access token.",
        });

        var result = await RunAsync(["accounts", "connect", "registry", "--name", "hub", "--username", "acme", "--token-stdin"], "wrong-token");

        result.ExitCode.ShouldBe(ExitCodes.Failed, result.ToString());
        result.Error.ShouldContain("The connection test failed.");
        result.Error.ShouldContain("registry.accessToken (--token-stdin or --token-file): Docker Hub refused the login");
        result.Error.ShouldContain("The provider refused these credentials");
    }

    [Fact]
    public async Task Standard_input_gives_one_secret_per_command()
    {
        var result = await RunAsync(["accounts", "connect", "registry", "--name", "hub", "--username", "acme", "--token-stdin",
            "--url", _api.Url.ToString(), "--token", "-"], "only-one-line");

        result.ExitCode.ShouldBe(ExitCodes.Usage, result.ToString());
        result.Error.ShouldContain("Standard input");
        _api.Requests.ShouldBeEmpty();
    }

    private Task<CliResult> RunAsync(string[] args, string stdin = "") =>
        Offload.RunAsync(args.Contains("--url") ? args : [.. args, "--url", _api.Url.ToString(), "--token", PlatformToken],
            new Dictionary<string, string?>(), stdin, ct: Ct);

    private async Task<string> FileAsync(string name, string content)
    {
        var path = _files.File(name);
        await File.WriteAllTextAsync(path, content, Ct);
        return path;
    }

    private static void ShouldBeJson(RecordedRequest request, string expected) => ShouldBeJson(request, JsonNode.Parse(expected)!);

    private static void ShouldBeJson(RecordedRequest request, JsonNode expected) =>
        JsonNode.DeepEquals(request.Json, expected).ShouldBeTrue($"sent:     {request.Body}\nexpected: {expected.ToJsonString()}");

    private static AccountView Created(RecordedRequest request)
    {
        var body = request.Json!;
        var provider = Enum.Parse<CloudProvider>(body["provider"]!.GetValue<string>(), ignoreCase: true);
        return new AccountView(Guid.NewGuid(), provider, body["displayName"]!.GetValue<string>(), [], SyncStatus.Pending, null, null, null, DateTimeOffset.UtcNow);
    }
}
