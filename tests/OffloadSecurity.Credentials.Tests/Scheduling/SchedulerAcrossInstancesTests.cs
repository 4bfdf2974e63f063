using System.Collections.Concurrent;
using System.Security.Cryptography;
using MassTransit;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Credentials.Accounts;
using OffloadSecurity.ServiceDefaults.Storage;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Credentials.Tests.Scheduling;

/// <summary>Two credentials services on one SQLite file and one real RabbitMQ: every due account is scheduled exactly once.</summary>
public sealed class SchedulerAcrossInstancesTests(RabbitMqFixture rabbit) : IClassFixture<RabbitMqFixture>, IDisposable
{
    private const int DueAccounts = 25;
    private readonly TempDirectory _data = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_instances_on_one_broker_publish_exactly_one_scheduled_scan_per_due_account()
    {
        var uri = rabbit.Broker.RequireUri();
        var prefix = RabbitMqBroker.NewEntityPrefix();
        var now = DateTimeOffset.UtcNow;

        var store = new SqliteAccountStore(new SqliteDatabase(CredentialsDatabase.PathIn(_data.Path)));
        await store.InitializeAsync(Ct);
        var due = new HashSet<Guid>();
        for (var i = 0; i < DueAccounts + 5; i++)
        {
            var account = new Account
            {
                Id = Guid.NewGuid(),
                TenantId = "tenant-" + (i % 3),
                Provider = CloudProvider.Aws,
                DisplayName = "a" + i,
                SettingsJson = "{}",
                Secret = [1],
                CreatedAt = now.AddDays(-1),
                // 25 are due (some long overdue), 5 are not yet.
                NextSyncAt = i < DueAccounts ? now.AddMinutes(-i) : now.AddHours(3),
            };
            await store.AddAsync(account, Ct);
            if (i < DueAccounts)
            {
                due.Add(account.Id);
            }
        }

        var seen = new ConcurrentQueue<ScanRequested>();
        var observer = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(new Uri(uri));
            cfg.MessageTopology.SetEntityNameFormatter(new Prefixed(cfg.MessageTopology.EntityNameFormatter, prefix));
            cfg.ReceiveEndpoint(prefix + "schedule-observer", e => e.Handler<ScanRequested>(context =>
            {
                seen.Enqueue(context.Message);
                return Task.CompletedTask;
            }));
        });
        await observer.StartAsync(Ct);
        try
        {
            var settings = new Dictionary<string, string?>(TestAuth.Settings)
            {
                ["ENCRYPTION_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                ["Store:DataDirectory"] = _data.Path,
                ["Credentials:Scheduler:PollInterval"] = "00:00:00.100",
                ["Credentials:Scheduler:BatchSize"] = "4",
            };
            foreach (var (key, value) in rabbit.Broker.BusSettings(prefix))
            {
                settings[key] = value;
            }

            await using var first = new ServiceHost<CredentialsEntryPoint>(settings);
            await using var second = new ServiceHost<CredentialsEntryPoint>(settings);
            first.Start();
            second.Start();

            await Eventually.Until(() => Task.FromResult(seen.Count), n => n >= DueAccounts, "every due account to be scheduled");
            await Task.Delay(TimeSpan.FromSeconds(2), Ct); // many more rounds of both instances: nothing more may come

            var requests = seen.ToList();
            requests.Count.ShouldBe(DueAccounts);
            requests.Select(r => r.AccountId).ShouldBe(due, ignoreOrder: true);
            requests.ShouldAllBe(r => r.Trigger == ScanTrigger.Scheduled);
            requests.Select(r => r.ScanId).Distinct().Count().ShouldBe(DueAccounts);
        }
        finally
        {
            await observer.StopAsync(Ct);
        }
    }

    private sealed class Prefixed(IEntityNameFormatter inner, string prefix) : IEntityNameFormatter
    {
        public string FormatEntityName<T>() => prefix + inner.FormatEntityName<T>();
    }

    public void Dispose() => _data.Dispose();
}
