using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using OffloadSecurity.Contracts;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.Credentials.Encryption;
using OffloadSecurity.ServiceDefaults.Auth;
using OffloadSecurity.ServiceDefaults.Storage;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Credentials.Tests.Encryption;

public sealed class KeyRotationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task Rotation_rewraps_every_record_while_every_record_keeps_decrypting()
    {
        var oldKey = KeyRing.FromBase64(NewKey());
        var newKey = KeyRing.FromBase64(NewKey());
        var store = new SqliteAccountStore(new SqliteDatabase(_dir.File("credentials.db")));
        await store.InitializeAsync(Ct);
        var before = new EnvelopeEncryption(new KeyRing(oldKey));
        var accounts = new List<Account>();
        for (var i = 0; i < 300; i++)
        {
            var id = Guid.NewGuid();
            var tenant = "tenant-" + (i % 7);
            var account = new Account
            {
                Id = id,
                TenantId = tenant,
                Provider = CloudProvider.Aws,
                DisplayName = "a" + i,
                SettingsJson = "{}",
                Secret = before.Encrypt("secret-" + i, tenant, id),
                CreatedAt = DateTimeOffset.UtcNow,
            };
            await store.AddAsync(account, Ct);
            accounts.Add(account);
        }

        // The service restarts with the new key current and the old one as previous, then rotates while serving.
        var ring = new KeyRing(newKey, [oldKey]);
        var during = new EnvelopeEncryption(ring);
        var rotation = new KeyRotation(store, ring, during, NullLogger<KeyRotation>.Instance);
        var rotating = rotation.RewrapAllAsync(Ct);
        var reads = 0;
        do
        {
            foreach (var account in accounts.Take(40))
            {
                var stored = await store.FindAsync(account.TenantId, account.Id, Ct);
                during.Decrypt(stored!.Secret!, account.TenantId, account.Id).ShouldBe("secret-" + account.DisplayName[1..]);
                reads++;
            }
        }
        while (!rotating.IsCompleted);

        var result = await rotating;
        result.Rewrapped.ShouldBe(300);
        result.KeyId.ShouldBe(newKey.Id);
        reads.ShouldBeGreaterThan(0);

        // Afterwards the old key can go: every record decrypts with the new key alone, and a second run has nothing to do.
        var after = new EnvelopeEncryption(new KeyRing(newKey));
        foreach (var account in accounts)
        {
            var stored = await store.FindAsync(account.TenantId, account.Id, Ct);
            EnvelopeEncryption.KeyIdOf(stored!.Secret!).ShouldBe(newKey.Id);
            after.Decrypt(stored.Secret!, account.TenantId, account.Id).ShouldBe("secret-" + account.DisplayName[1..]);
        }

        (await rotation.RewrapAllAsync(Ct)).Rewrapped.ShouldBe(0);
    }

    [Fact]
    public async Task A_disconnected_record_is_not_brought_back_by_rotation()
    {
        var oldKey = KeyRing.FromBase64(NewKey());
        var store = new SqliteAccountStore(new SqliteDatabase(_dir.File("credentials.db")));
        await store.InitializeAsync(Ct);
        var id = Guid.NewGuid();
        await store.AddAsync(new Account
        {
            Id = id,
            TenantId = "t",
            Provider = CloudProvider.Aws,
            DisplayName = "a",
            SettingsJson = "{}",
            Secret = new EnvelopeEncryption(new KeyRing(oldKey)).Encrypt("s", "t", id),
            CreatedAt = DateTimeOffset.UtcNow,
        }, Ct);

        // The disconnect lands between the rotation reading the secret and writing it back.
        var rewrapped = await store.RewrapAllAsync((tenant, account, envelope) =>
        {
            store.DisconnectAsync(tenant, account, DateTimeOffset.UtcNow, Ct).GetAwaiter().GetResult();
            return [1, 2, 3];
        }, Ct);

        rewrapped.ShouldBe(0);
        (await store.FindAsync("t", id, Ct))!.Secret.ShouldBeNull();
    }

    [Fact]
    public async Task The_service_serves_old_records_after_a_key_change_and_the_admin_endpoint_rewraps_them()
    {
        await using var sandbox = new AwsSandbox().Start();
        var oldKey = NewKey();
        var newKey = NewKey();
        Guid accountId;
        await using (var first = new CredentialsHost { Sandbox = sandbox, DataDirectory = _dir.Path, EncryptionKey = oldKey })
        {
            await first.InitializeAsync();
            using var admin = first.Client("tenant-rotate");
            var created = await admin.PostAsJsonAsync("api/accounts", sandbox.KeysBody(), Ct);
            accountId = (await created.Content.ReadFromJsonAsync<AccountView>(Ct))!.Id;
        }

        await using (var second = new CredentialsHost
        {
            Sandbox = sandbox,
            DataDirectory = _dir.Path,
            EncryptionKey = newKey,
            ExtraSettings = new Dictionary<string, string?> { ["Encryption:PreviousKeys"] = oldKey },
        })
        {
            await second.InitializeAsync();
            using var service = second.Client("tenant-rotate", Roles.Service);
            (await service.PostAsJsonAsync("internal/credentials/aws", new { tenantId = "tenant-rotate", accountId }, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

            var rotated = await service.PostAsync("internal/admin/rotate-keys", null, Ct);

            rotated.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await rotated.Content.ReadFromJsonAsync<KeyRotationResult>(Ct))!.Rewrapped.ShouldBe(1);
            using var person = second.Client("tenant-rotate");
            (await person.PostAsync("internal/admin/rotate-keys", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        await using var third = new CredentialsHost { Sandbox = sandbox, DataDirectory = _dir.Path, EncryptionKey = newKey };
        await third.InitializeAsync();
        using var scanner = third.Client("tenant-rotate", Roles.Service);
        (await scanner.PostAsJsonAsync("internal/credentials/aws", new { tenantId = "tenant-rotate", accountId }, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    public void Dispose() => _dir.Dispose();
}
