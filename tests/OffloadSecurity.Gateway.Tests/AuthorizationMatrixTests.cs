using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using OffloadSecurity.ServiceDefaults.Auth;
using OffloadSecurity.Testing;
using static OffloadSecurity.Gateway.Tests.GatewayPlatform;

namespace OffloadSecurity.Gateway.Tests;

/// <summary>
/// Every public route × caller combination that must be refused is refused, through the gateway and directly at the
/// services (which validate tokens themselves): bad tokens 401, missing tenant or role 403, a role too weak 403,
/// another tenant's resources 404 and never in its lists. State is checked afterwards: no refused call changed anything.
/// </summary>
public sealed class AuthorizationMatrixTests(GatewayPlatform platform)
{
    private enum Needs
    {
        Read,
        Triage,
        Manage,
    }

    /// <summary>One public operation. <c>{account}</c> and <c>{finding}</c> stand for tenant A's account and finding.</summary>
    private sealed record Operation(string Service, HttpMethod Method, string Path, Needs Needs, bool TargetsOneResource, object? Body = null)
    {
        public override string ToString() => $"{Method} {Path}";
    }

    private static readonly Operation[] Operations =
    [
        new("credentials", HttpMethod.Get, "/api/accounts", Needs.Read, false),
        new("credentials", HttpMethod.Get, "/api/accounts/{account}", Needs.Read, true),
        new("credentials", HttpMethod.Post, "/api/accounts", Needs.Manage, false, new
        {
            provider = "aws", displayName = "Matrix", aws = new { accessKeyId = SandboxAccessKeyId, secretAccessKey = SandboxSecretAccessKey },
        }),
        new("credentials", HttpMethod.Patch, "/api/accounts/{account}", Needs.Manage, true, new { displayName = "Renamed by an intruder" }),
        new("credentials", HttpMethod.Post, "/api/accounts/{account}/sync", Needs.Manage, true),
        new("credentials", HttpMethod.Post, "/api/accounts/{account}/sync/cancel", Needs.Manage, true),
        new("credentials", HttpMethod.Post, "/api/accounts/{account}/disconnect", Needs.Manage, true),
        new("credentials", HttpMethod.Delete, "/api/accounts/{account}", Needs.Manage, true),
        new("inventory", HttpMethod.Get, "/api/findings", Needs.Read, false),
        new("inventory", HttpMethod.Get, "/api/findings/{finding}", Needs.Read, true),
        new("inventory", HttpMethod.Post, "/api/findings/{finding}/workflow", Needs.Triage, true, new { action = "suppress", note = "not ours" }),
        new("inventory", HttpMethod.Get, "/api/findings/export?format=jsonl", Needs.Read, false),
        new("inventory", HttpMethod.Get, "/api/findings/export?format=csv", Needs.Read, false),
        new("inventory", HttpMethod.Get, "/api/posture/summary", Needs.Read, false),
        new("inventory", HttpMethod.Get, "/api/posture/trend", Needs.Read, false),
        new("aws-scanner", HttpMethod.Post, "/api/imports/asff", Needs.Triage, false, Array.Empty<object>()),
        new("aws-scanner", HttpMethod.Post, "/api/imports/guardduty", Needs.Triage, false, new { Findings = Array.Empty<object>() }),
    ];

    private static readonly (string Name, Func<string?> Token)[] BadTokens =
    [
        ("no token", () => null),
        ("malformed", () => Tokens.Malformed),
        ("forged signature", () => Tokens.Forged(TenantA)),
        ("expired", () => Tokens.Expired(TenantA)),
        ("not yet valid", () => Tokens.NotYetValid(TenantA)),
        ("wrong audience", () => Tokens.WrongAudience(TenantA)),
        ("wrong issuer", () => Tokens.WrongIssuer(TenantA)),
        ("alg none", () => Tokens.AlgNone(TenantA)),
        ("tenant swapped after signing", () => Tokens.TamperedTenant(TenantB, TenantA)),
    ];

    private static readonly (string Name, Func<string> Token)[] Unentitled =
    [
        ("no tenant claim", Tokens.WithoutTenant),
        ("no role", () => Tokens.WithoutRole(TenantA)),
        ("service role", () => Tokens.Valid(TenantA, Roles.Service)),
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Refuses_every_bad_token_on_every_route_through_the_gateway_and_at_the_services()
    {
        var mismatches = new List<string>();
        var cases = 0;
        foreach (var operation in Operations)
        {
            foreach (var (name, token) in BadTokens)
            {
                foreach (var (door, baseUrl) in Doors(operation))
                {
                    cases++;
                    await ExpectAsync(baseUrl, operation, token(), HttpStatusCode.Unauthorized, $"{name} via {door}", mismatches);
                }
            }
        }

        mismatches.ShouldBeEmpty($"{mismatches.Count} of {cases} refusals did not happen:\n" + string.Join('\n', mismatches));
        cases.ShouldBe(Operations.Length * BadTokens.Length * 2);
    }

    [Fact]
    public async Task Refuses_callers_without_a_tenant_or_a_user_role_on_every_route()
    {
        var mismatches = new List<string>();
        foreach (var operation in Operations)
        {
            foreach (var (name, token) in Unentitled)
            {
                foreach (var (door, baseUrl) in Doors(operation))
                {
                    await ExpectAsync(baseUrl, operation, token(), HttpStatusCode.Forbidden, $"{name} via {door}", mismatches);
                }
            }
        }

        mismatches.ShouldBeEmpty(string.Join('\n', mismatches));
    }

    [Fact]
    public async Task Refuses_roles_too_weak_for_the_operation_in_any_tenant()
    {
        var mismatches = new List<string>();
        var checkedCases = 0;
        foreach (var operation in Operations)
        {
            foreach (var tenant in new[] { TenantA, TenantB })
            {
                foreach (var role in new[] { Roles.Analyst, Roles.Auditor })
                {
                    var allowed = operation.Needs == Needs.Read || (operation.Needs == Needs.Triage && role == Roles.Analyst);
                    if (!allowed)
                    {
                        checkedCases++;
                        await ExpectAsync(platform.Gateway, operation, Tokens.Valid(tenant, role), HttpStatusCode.Forbidden, $"{role} of {tenant}", mismatches);
                    }
                }
            }
        }

        mismatches.ShouldBeEmpty(string.Join('\n', mismatches));
        // 6 account-management operations × 2 roles and 3 triage operations × auditor, in 2 tenants.
        checkedCases.ShouldBe(30);
    }

    [Fact]
    public async Task Another_tenant_with_the_right_role_finds_nothing_of_tenant_A()
    {
        var mismatches = new List<string>();
        foreach (var operation in Operations.Where(o => o.TargetsOneResource))
        {
            var role = operation.Needs == Needs.Triage ? Roles.Analyst : Roles.TenantAdmin;
            await ExpectAsync(platform.Gateway, operation, Tokens.Valid(TenantB, role), HttpStatusCode.NotFound, $"{role} of {TenantB}", mismatches);
        }

        mismatches.ShouldBeEmpty(string.Join('\n', mismatches));

        foreach (var operation in Operations.Where(o => o is { TargetsOneResource: false, Needs: Needs.Read }))
        {
            using var response = await SendAsync(platform.Gateway, operation, Tokens.Valid(TenantB, Roles.Auditor));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, operation.ToString());
            var body = await response.Content.ReadAsStringAsync(Ct);
            body.ShouldNotContain(platform.AccountOfA.ToString(), Case.Insensitive, operation.ToString());
            body.ShouldNotContain(platform.FindingOfA, Case.Insensitive, operation.ToString());
        }
    }

    [Fact]
    public async Task A_client_sent_tenant_header_does_not_widen_a_callers_view()
    {
        using var client = platform.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/findings/{platform.FindingOfA}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.Valid(TenantB, Roles.TenantAdmin));
        request.Headers.Add("X-Tenant-Id", TenantA);
        using var response = await client.SendAsync(request, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Refused_calls_changed_nothing_and_the_entitled_callers_are_served()
    {
        // Run the refusal matrix first, so this test sees its aftermath whatever order the tests ran in.
        await Refuses_roles_too_weak_for_the_operation_in_any_tenant();
        await Another_tenant_with_the_right_role_finds_nothing_of_tenant_A();

        using var admin = platform.Client().WithToken(TenantA, Roles.TenantAdmin);
        var account = await admin.GetFromJsonAsync<AccountState>($"/api/accounts/{platform.AccountOfA}", Ct);
        account!.DisplayName.ShouldBe("Production");
        account.Status.ShouldNotBe("Disconnected");
        var finding = await admin.GetFromJsonAsync<FindingState>($"/api/findings/{platform.FindingOfA}", Ct);
        finding!.Workflow.ShouldBeNull("a refused workflow call must not have suppressed the finding");

        foreach (var role in new[] { Roles.TenantAdmin, Roles.Analyst, Roles.Auditor })
        {
            foreach (var operation in Operations.Where(o => o.Needs == Needs.Read))
            {
                using var response = await SendAsync(platform.Gateway, operation, Tokens.Valid(TenantA, role));
                response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{operation} as {role} of {TenantA}");
            }
        }

        using var analyst = platform.Client().WithToken(TenantA, Roles.Analyst);
        (await analyst.PostAsJsonAsync($"/api/findings/{platform.FindingOfA}/workflow", new { action = "acknowledge" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await analyst.PostAsJsonAsync($"/api/findings/{platform.FindingOfA}/workflow", new { action = "clear" }, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Internal_endpoints_are_not_reachable_through_the_gateway()
    {
        using var client = platform.Client().WithToken(TenantA, Roles.Service);
        foreach (var path in new[] { "/internal/credentials/aws", "/internal/admin/rotate-keys", "/api/../internal/admin/rotate-keys" })
        {
            using var response = await client.PostAsJsonAsync(path, new { tenantId = TenantA, accountId = platform.AccountOfA }, Ct);
            response.StatusCode.ShouldBeOneOf([HttpStatusCode.NotFound, HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden], path);
            response.StatusCode.ShouldNotBe(HttpStatusCode.OK);
        }
    }

    private IEnumerable<(string Door, Uri BaseUrl)> Doors(Operation operation) =>
    [
        ("gateway", platform.Gateway),
        (operation.Service, operation.Service switch
        {
            "credentials" => platform.Credentials,
            "inventory" => platform.Inventory,
            _ => platform.AwsScanner,
        }),
    ];

    private async Task ExpectAsync(Uri baseUrl, Operation operation, string? token, HttpStatusCode expected, string caller, List<string> mismatches)
    {
        using var response = await SendAsync(baseUrl, operation, token);
        if (response.StatusCode != expected)
        {
            mismatches.Add($"{operation} as {caller}: {(int)response.StatusCode}, expected {(int)expected}");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Uri baseUrl, Operation operation, string? token)
    {
        using var client = new HttpClient { BaseAddress = baseUrl };
        var path = operation.Path.Replace("{account}", platform.AccountOfA.ToString(), StringComparison.Ordinal)
            .Replace("{finding}", platform.FindingOfA, StringComparison.Ordinal);
        using var request = new HttpRequestMessage(operation.Method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (operation.Body is not null)
        {
            request.Content = JsonContent.Create(operation.Body);
        }

        return await client.SendAsync(request, Ct);
    }

    private sealed record AccountState(string DisplayName, string Status);

    private sealed record FindingState(string Fingerprint, object? Workflow);
}
