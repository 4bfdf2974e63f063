using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OffloadSecurity.Contracts;
using OffloadSecurity.Credentials.Accounts;

namespace OffloadSecurity.Credentials.Tests.Accounts;

/// <summary>A clock the tests move, in the service the warnings are computed by.</summary>
public sealed class ClockedCredentialsHost : IAsyncLifetime
{
    public FakeClock Clock { get; } = new(DateTimeOffset.UtcNow);

    public CredentialsHost Service { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Service = new CredentialsHost
        {
            ConfigureServices = services => services.AddSingleton<TimeProvider>(Clock),
            ExtraSettings = new Dictionary<string, string?> { ["Credentials:Scheduler:Enabled"] = "false" },
        };
        await Service.InitializeAsync();
    }

    public ValueTask DisposeAsync() => Service.DisposeAsync();
}

public class RotationWarningTests(ClockedCredentialsHost host) : IClassFixture<ClockedCredentialsHost>
{
    private static readonly ProviderTestData Data = ProviderTestData.Shared;
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Account Gcp(DateTimeOffset connectedAt, DateTimeOffset? keyCreatedAt, bool connected = true) => new()
    {
        Id = Guid.NewGuid(),
        TenantId = "tenant-warnings",
        Provider = CloudProvider.Gcp,
        DisplayName = "gcp",
        SettingsJson = JsonSerializer.Serialize(new GcpSettings(ProviderTestData.GcpClientEmail, "0123456789abcdef0123", "p-123456", "p-123456", keyCreatedAt)),
        Secret = connected ? [1] : null,
        CreatedAt = connectedAt,
    };

    private static Account Azure(DateTimeOffset? expiresAt) => new()
    {
        Id = Guid.NewGuid(),
        TenantId = "tenant-warnings",
        Provider = CloudProvider.Azure,
        DisplayName = "azure",
        SettingsJson = JsonSerializer.Serialize(new AzureSettings(ProviderTestData.AzureTenantId, ProviderTestData.AzureClientId, ProviderTestData.AzureSubscriptionId, expiresAt)),
        Secret = [1],
        CreatedAt = Now.AddDays(-400),
    };

    [Theory]
    [InlineData(0)]
    [InlineData(30)]
    [InlineData(60)]
    public void A_gcp_key_of_sixty_days_or_less_gets_no_warning(int days) =>
        AccountWarnings.For(Gcp(Now.AddDays(-5), Now.AddDays(-days)), Now).ShouldBeEmpty();

    [Fact]
    public void A_gcp_key_older_than_sixty_days_should_be_rotated_by_ninety()
    {
        var warning = AccountWarnings.For(Gcp(Now.AddDays(-5), Now.AddDays(-61)), Now).ShouldHaveSingleItem();

        warning.ShouldBe("The service-account key 0123456789abcdef0123 is 61 days old (created 2026-09-22): rotate by 90 days (by 2026-12-21).");
    }

    [Fact]
    public void A_gcp_key_of_ninety_days_is_past_the_limit()
    {
        AccountWarnings.For(Gcp(Now.AddDays(-5), Now.AddDays(-90)), Now).ShouldHaveSingleItem().ShouldContain("past the 90-day rotation limit");
    }

    [Fact]
    public void Without_its_creation_time_a_gcp_key_is_at_least_as_old_as_the_account()
    {
        AccountWarnings.For(Gcp(Now.AddDays(-59), keyCreatedAt: null), Now).ShouldBeEmpty();
        AccountWarnings.For(Gcp(Now.AddDays(-75), keyCreatedAt: null), Now).ShouldHaveSingleItem()
            .ShouldBe("The service-account key 0123456789abcdef0123 has been connected for 75 days (since 2026-09-08) and is at least that old: rotate by 90 days (by 2026-12-07).");
    }

    [Fact]
    public void A_disconnected_account_has_no_credentials_to_warn_about() =>
        AccountWarnings.For(Gcp(Now.AddDays(-200), Now.AddDays(-200), connected: false), Now).ShouldBeEmpty();

    [Theory]
    [InlineData(31.0, null)]
    [InlineData(30.0, "expires on 2026-12-22 (in 30 days)")]
    [InlineData(0.5, "expires on 2026-11-22 (in 1 day)")]
    [InlineData(0.0, "expired on 2026-11-22")]
    [InlineData(-3.0, "expired on 2026-11-19")]
    public void An_azure_secret_is_warned_about_within_thirty_days_of_expiry_and_after(double daysLeft, string? says)
    {
        var warnings = AccountWarnings.For(Azure(Now.AddDays(daysLeft)), Now);

        if (says is null)
        {
            warnings.ShouldBeEmpty();
        }
        else
        {
            warnings.ShouldHaveSingleItem().ShouldContain(says);
        }
    }

    [Fact]
    public void An_azure_secret_of_unknown_expiry_gets_no_warning() => AccountWarnings.For(Azure(null), Now).ShouldBeEmpty();

    [Fact]
    public async Task The_account_view_warns_as_the_service_clock_moves()
    {
        using var client = host.Service.Client("tenant-" + Guid.NewGuid().ToString("N")[..8]);
        var start = host.Clock.GetUtcNow();
        var gcp = await Connect(client, Data.Gcp(keyCreatedAt: start.AddDays(-50)));
        var gcpWithoutDate = await Connect(client, Data.Gcp());
        var azure = await Connect(client, Data.Azure(start.AddDays(45)));
        gcp.Warnings.ShouldBe([]);
        gcpWithoutDate.Warnings.ShouldBe([]);
        azure.Warnings.ShouldBe([]);

        host.Clock.Advance(TimeSpan.FromDays(20));
        (await Get(client, gcp.Id)).Warnings.ShouldHaveSingleItem().ShouldContain("70 days old");
        (await Get(client, gcpWithoutDate.Id)).Warnings.ShouldBe([]);
        (await Get(client, azure.Id)).Warnings.ShouldHaveSingleItem().ShouldContain("in 25 days");

        host.Clock.Advance(TimeSpan.FromDays(45));
        (await Get(client, gcp.Id)).Warnings.ShouldHaveSingleItem().ShouldContain("past the 90-day rotation limit");
        (await Get(client, gcpWithoutDate.Id)).Warnings.ShouldHaveSingleItem().ShouldContain("connected for 65 days");
        (await Get(client, azure.Id)).Warnings.ShouldHaveSingleItem().ShouldContain("expired");
        var listed = (await client.GetFromJsonAsync<AccountView[]>("api/accounts", Ct))!;
        listed.ShouldAllBe(a => a.Warnings!.Count == 1);
    }

    private static async Task<AccountView> Connect(HttpClient client, System.Text.Json.Nodes.JsonObject body)
    {
        using var response = await client.PostAsJsonAsync("api/accounts", body, Ct);
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<AccountView>(Ct))!;
    }

    private static async Task<AccountView> Get(HttpClient client, Guid id) =>
        (await client.GetFromJsonAsync<AccountView>($"api/accounts/{id}", Ct))!;
}
