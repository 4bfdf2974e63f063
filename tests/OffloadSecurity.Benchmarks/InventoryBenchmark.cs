using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.Inventory.Ingest;
using OffloadSecurity.Inventory.Posture;
using OffloadSecurity.Scanners.Core.Normalization;
using OffloadSecurity.ServiceDefaults.Messaging;
using OffloadSecurity.ServiceDefaults.Storage;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Benchmarks;

/// <summary>
/// Ingests generated ~1.2 KB findings through the inventory's real consumers over RabbitMQ into its SQLite store,
/// then measures a filtered page and the posture summary over HTTP. Prints figures; asserts nothing.
/// </summary>
public static class InventoryBenchmark
{
    private const string Tenant = "tenant-bench";
    private const string Source = "aws.securityhub";
    private const int BatchSize = 500;
    private static readonly string[] Regions = ["us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"];
    private static readonly Guid[] Accounts = [.. Enumerable.Range(1, 5).Select(i => new Guid(i, 0, 0, new byte[8]))];

    public static async Task<int> RunAsync(string[] args)
    {
        var findings = Figures.Option(args, "--findings", 100_000);
        var raw = Figures.Option(args, "--raw", Math.Min(findings, 200_000));
        var queries = Figures.Option(args, "--queries", 200);
        var warmup = Figures.Option(args, "--warmup", 20_000);
        var rabbit = Environment.GetEnvironmentVariable("OFFLOAD_TEST_RABBITMQ_URI") ?? "amqp://guest:guest@127.0.0.1:5672/";
        using var data = new TempDirectory();
        using var memory = new PeakMemory();
        Console.WriteLine($"inventory benchmark: {findings:N0} findings of ~{Generate(0, 0, DateTimeOffset.UtcNow).RawJson.Length + 700} B, " +
            $"batches of {BatchSize}, RabbitMQ {new Uri(rabbit).Host}:{new Uri(rabbit).Port}, {Environment.ProcessorCount} cores, data in {data.Path}");

        var phase = CpuAndGc.Start();
        var rawRate = await RawSqliteUpsertsAsync(data.File("raw.db"), raw);
        Console.WriteLine($"raw SQLite upserts (prepared, 500/tx, same pragmas as the store): {rawRate,10:N0} findings/s   ({raw:N0} rows; {phase.Brief(raw)})");
        phase = CpuAndGc.Start();
        var storeRate = await StoreIngestAsync(data.File("store.db"), raw, callers: 1);
        Console.WriteLine($"store IngestAsync, no bus (deltas, refs, OCSF), one caller:  {storeRate,10:N0} findings/s   ({raw:N0} rows; {phase.Brief(raw)})");
        var callers = FindingsObservedConsumerDefinition.ConcurrentBatches;
        phase = CpuAndGc.Start();
        var groupedRate = await StoreIngestAsync(data.File("store-grouped.db"), raw, callers);
        Console.WriteLine($"store IngestAsync, no bus, {callers} callers as the endpoint has:  {groupedRate,10:N0} findings/s   ({raw:N0} rows; batches that wait share a transaction; {phase.Brief(raw)})");

        var prefix = RabbitMqBroker.NewEntityPrefix();
        var settings = new Dictionary<string, string?>(TestAuth.Settings)
        {
            ["Bus:Transport"] = "RabbitMq",
            ["Bus:RabbitMq:Uri"] = rabbit,
            ["Bus:EntityPrefix"] = prefix,
            ["Store:DataDirectory"] = Path.Combine(data.Path, "inventory"),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        // Outside a test project WebApplicationFactory cannot guess the content root; the inventory serves no files.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_OFFLOADSECURITY_INVENTORY", AppContext.BaseDirectory);
        var progress = new ConsumeProgress();
        void Observe(IServiceCollection services) => services.AddConsumeObserver(_ => progress).AddReceiveObserver(_ => progress);
        var publishDuring = args.Contains("--publish-during");
        var batches = (findings + BatchSize - 1) / BatchSize;
        var dbPath = Path.Combine(data.Path, "inventory", "inventory.db");
        using var publisherHost = Publisher(rabbit, prefix);
        var bus = (IBus?)null;
        if (!publishDuring)
        {
            // The load is on the broker before the inventory consumes: a first start binds its queues, the batches are
            // published while it is stopped, and the measured window (first batch consumed to last batch consumed) holds
            // no publisher CPU, only what the inventory spends.
            await using (var binder = new ServiceHost<InventoryEntryPoint>(settings))
            {
                binder.Start();
            }

            await publisherHost.StartAsync();
            bus = publisherHost.Services.GetRequiredService<IBus>();
            if (warmup > 0)
            {
                // A service runs for days: the JIT has long tiered its hot paths up. A first inventory, on a database of its
                // own, consumes a few batches so that the measured one (same process) does not pay for the JIT.
                var warmupBatches = (warmup + BatchSize - 1) / BatchSize;
                for (var b = 0; b < warmupBatches; b++)
                {
                    await bus.Publish(Batch(b, warmup, "tenant-warmup"));
                }

                var warming = new ConsumeProgress();
                await using (var warm = new ServiceHost<InventoryEntryPoint>(
                    new Dictionary<string, string?>(settings) { ["Store:DataDirectory"] = Path.Combine(data.Path, "warmup") },
                    services => services.AddConsumeObserver(_ => warming)))
                {
                    warm.Start();
                    await warming.WaitAsync(warmupBatches, TimeSpan.FromMinutes(2));
                }

                await Task.Delay(TimeSpan.FromSeconds(2)); // the tiering compiler catches up while nothing runs
                Console.WriteLine($"warm-up: {warmup:N0} findings of another tenant consumed by an inventory on another database (not measured)");
            }

            var publishing = Stopwatch.StartNew();
            for (var b = 0; b < batches; b++)
            {
                await bus.Publish(Batch(b, findings));
            }

            await publisherHost.StopAsync();
            Console.WriteLine($"published {batches:N0} batches before the inventory consumes, in {publishing.Elapsed.TotalSeconds:0.0}s (not measured below)");
        }

        // The findings generated for the store runs above are garbage now: give their memory back before measuring the service's.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        memory.Reset();
        var cost = CpuAndGc.Start();
        await using var inventory = new ServiceHost<InventoryEntryPoint>(settings, Observe);
        var baseAddress = inventory.Start();
        var clock = Stopwatch.StartNew();
        var published = TimeSpan.Zero;
        if (publishDuring)
        {
            // The old way: this process publishes while the inventory consumes (kept at most ~40 batches ahead of the
            // store); the publisher's CPU is then inside the window.
            await publisherHost.StartAsync();
            bus = publisherHost.Services.GetRequiredService<IBus>();
            clock.Restart();
            for (var b = 0; b < batches; b++)
            {
                while (b - progress.Consumed > 40)
                {
                    await Task.Delay(20);
                }

                await bus.Publish(Batch(b, findings));
            }

            published = clock.Elapsed;
        }

        await progress.WaitAsync(batches, TimeSpan.FromMinutes(2));
        var elapsed = publishDuring ? clock.Elapsed : progress.Window;
        var ingestPeak = memory.Peak;
        var storedRows = await StoredAsync(dbPath);
        Console.WriteLine($"end to end over RabbitMQ (consumers → SQLite, FindingsChanged published): " +
            $"{findings / elapsed.TotalSeconds,10:N0} findings/s   ({findings:N0} in {elapsed.TotalSeconds:0.0}s, {storedRows:N0} rows stored, {progress.Faults} faults; " +
            (publishDuring ? $"published during it, publishing took {published.TotalSeconds:0.0}s)" : "from the first batch consumed to the last)"));
        Console.WriteLine($"  = {findings / elapsed.TotalSeconds / rawRate:P0} of the raw SQLite figure; during it: {cost.Report(findings)}");

        using var client = new HttpClient { BaseAddress = baseAddress }.WithToken(Tenant);
        string[] pages =
        [
            "api/findings?severity=High&status=New&limit=100",
            "api/findings?provider=Aws&region=eu-west-1&sort=last_seen_desc&limit=100",
            $"api/findings?accountId={Accounts[2]}&severity=Critical&limit=100",
            "api/findings?compliance=CIS%20AWS%20Foundations%202.7&limit=100",
            "api/findings?status=New&sort=severity_asc&limit=50",
        ];
        var cursor = (await client.GetFromJsonAsync<FindingPage>(pages[0]))!.NextCursor;
        var pageLatencies = await MeasureAsync(queries, i => client.GetAsync(i % 6 == 5 ? $"{pages[0]}&cursor={cursor}" : pages[i % 5]));
        Console.WriteLine($"filtered page (limit 100, 5 filters + a cursor page, HTTP):  p50 {Figures.Percentile(pageLatencies, 50),7:0.0} ms   p95 {Figures.Percentile(pageLatencies, 95),7:0.0} ms   ({queries} requests)");
        var summaryLatencies = await MeasureAsync(Math.Max(20, queries / 4), _ => client.GetAsync("api/posture/summary"));
        var summary = (await client.GetFromJsonAsync<PostureSummary>("api/posture/summary"))!;
        Console.WriteLine($"posture summary (HTTP):                                       p50 {Figures.Percentile(summaryLatencies, 50),7:0.0} ms   p95 {Figures.Percentile(summaryLatencies, 95),7:0.0} ms   " +
            $"(total {summary.Total:N0}, open {summary.Open:N0}, score {summary.Score})");
        var exportClock = Stopwatch.StartNew();
        var before = memory.Peak;
        memory.Reset();
        await using (var export = await client.GetStreamAsync("api/findings/export?format=jsonl"))
        {
            await export.CopyToAsync(Stream.Null);
        }

        Console.WriteLine($"export (OCSF JSON Lines, whole tenant):                       {findings / exportClock.Elapsed.TotalSeconds,10:N0} findings/s   peak working set during export {memory.Peak / 1048576.0:N0} MiB");
        Console.WriteLine($"peak working set of the process (inventory host + publisher) during ingest: {ingestPeak / 1048576.0:N0} MiB; over the whole run {Math.Max(before, memory.Peak) / 1048576.0:N0} MiB; " +
            $"database {new FileInfo(dbPath).Length / 1048576.0:N0} MiB + log {(File.Exists(dbPath + "-wal") ? new FileInfo(dbPath + "-wal").Length : 0) / 1048576.0:N0} MiB");
        if (publishDuring)
        {
            await publisherHost.StopAsync();
        }

        return 0;
    }

    private static readonly DateTimeOffset ObservedAt = DateTimeOffset.UtcNow;
    private static readonly Guid ScanId = Guid.NewGuid();

    /// <summary>Batch <paramref name="b"/> of the end-to-end run: one scan, the accounts in turn.</summary>
    private static FindingsObserved Batch(int b, int findings, string tenant = Tenant) => new()
    {
        TenantId = tenant,
        AccountId = Accounts[b % Accounts.Length],
        ScanId = ScanId,
        Source = Source,
        BatchIndex = b,
        ObservedAt = ObservedAt,
        Findings = [.. Enumerable.Range(b * BatchSize, Math.Min(BatchSize, findings - b * BatchSize)).Select(i => Generate(i, b % Accounts.Length, ObservedAt))],
    };

    /// <summary>A generated Security Hub-like finding of about 1.2 KB (JSON body plus raw provider JSON).</summary>
    private static NormalizedFinding Generate(int i, int account, DateTimeOffset at)
    {
        var severity = (Severity)(i % 5 + 1);
        var region = Regions[i % Regions.Length];
        var nativeId = $"arn:aws:securityhub:{region}:1234567890{account:00}:subscription/cis-aws-foundations-benchmark/v/1.2.0/2.{i % 9}/finding/{i:x8}-7d3c-4c8e-9a1e";
        return new NormalizedFinding
        {
            Fingerprint = Fingerprint.ForFinding(Tenant, Accounts[account], Source, nativeId),
            Class = FindingClass.Compliance,
            Severity = severity,
            SeverityId = (int)severity,
            State = i % 10 == 9 ? ObservedState.Closed : ObservedState.Open,
            Title = $"2.{i % 9} Ensure CloudTrail logs are encrypted at rest using KMS CMKs (resource {i})",
            Description = "AWS CloudTrail is a web service that records AWS API calls for an account. Configuring CloudTrail to use SSE-KMS provides additional confidentiality controls on log data.",
            Remediation = "Configure CloudTrail to use SSE-KMS.",
            RemediationUrl = "https://docs.aws.amazon.com/console/securityhub/standards-cis-2.7/remediation",
            Provider = CloudProvider.Aws,
            CloudAccountId = $"1234567890{account:00}",
            Region = region,
            Source = Source,
            NativeId = nativeId,
            ProductName = "Security Hub",
            Resource = new ResourceRef
            {
                Type = "AwsCloudTrailTrail",
                Id = $"arn:aws:cloudtrail:{region}:1234567890{account:00}:trail/trail-{i}",
                Region = region,
                Tags = new Dictionary<string, string> { ["env"] = "prod" },
            },
            FirstObservedAt = at,
            UpdatedAt = at,
            Compliance = [new ComplianceRef { Requirement = $"CIS AWS Foundations 2.{i % 9}", Status = "FAILED" }],
            RawJson = $$"""{"SchemaVersion":"2018-10-08","Id":"{{nativeId}}","ProductArn":"arn:aws:securityhub:{{region}}::product/aws/securityhub","GeneratorId":"arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/2.{{i % 9}}","AwsAccountId":"1234567890{{account:00}}","Types":["Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"],"Severity":{"Label":"{{severity.ToString().ToUpperInvariant()}}"},"Compliance":{"Status":"FAILED"},"Workflow":{"Status":"NEW"},"RecordState":"ACTIVE"}""",
        };
    }

    /// <summary>The store's floor: a bare prepared upsert of the same rows, 500 per transaction, one table with its primary key.</summary>
    private static async Task<double> RawSqliteUpsertsAsync(string path, int count)
    {
        var database = new SqliteDatabase(path);
        await using var connection = await database.OpenAsync();
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = "PRAGMA cache_size = -131072; PRAGMA wal_autocheckpoint = 16384; CREATE TABLE findings (tenant_id TEXT NOT NULL, fingerprint TEXT NOT NULL, severity_id INTEGER, last_seen TEXT, body TEXT, raw_json TEXT, PRIMARY KEY (tenant_id, fingerprint))";
            await create.ExecuteNonQueryAsync();
        }

        var at = DateTimeOffset.UtcNow;
        var rows = Enumerable.Range(0, count).Select(i => Generate(i, i % Accounts.Length, at))
            .Select(f => (f.Fingerprint, f.SeverityId, Body: System.Text.Json.JsonSerializer.Serialize(f with { RawJson = "" }), f.RawJson)).ToList();
        var clock = Stopwatch.StartNew();
        foreach (var chunk in rows.Chunk(BatchSize))
        {
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
            await using var upsert = connection.CreateCommand();
            upsert.Transaction = tx;
            upsert.CommandText =
                """
                INSERT INTO findings VALUES ($t, $f, $s, $l, $b, $r)
                ON CONFLICT (tenant_id, fingerprint) DO UPDATE SET severity_id = excluded.severity_id, last_seen = excluded.last_seen,
                    body = excluded.body, raw_json = excluded.raw_json
                """;
            upsert.Parameters.AddWithValue("$t", Tenant);
            upsert.Parameters.AddWithValue("$l", at.ToString("O", CultureInfo.InvariantCulture));
            var f = upsert.Parameters.Add("$f", SqliteType.Text);
            var s = upsert.Parameters.Add("$s", SqliteType.Integer);
            var b = upsert.Parameters.Add("$b", SqliteType.Text);
            var r = upsert.Parameters.Add("$r", SqliteType.Text);
            foreach (var row in chunk)
            {
                f.Value = row.Fingerprint;
                s.Value = row.SeverityId;
                b.Value = row.Body;
                r.Value = row.RawJson;
                await upsert.ExecuteNonQueryAsync();
            }

            await tx.CommitAsync();
        }

        return count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The inventory store itself (serialization, hashing, deltas, refs, OCSF rendering), without the bus: one caller at a
    /// time, or as many at once as the consumer endpoint runs.
    /// </summary>
    private static async Task<double> StoreIngestAsync(string path, int count, int callers)
    {
        var store = new SqliteInventoryStore(new SqliteDatabase(path));
        await store.InitializeAsync(CancellationToken.None);
        var at = DateTimeOffset.UtcNow;
        var batches = Enumerable.Range(0, (count + BatchSize - 1) / BatchSize).Select(b => new FindingsObserved
        {
            TenantId = Tenant,
            AccountId = Accounts[b % Accounts.Length],
            ScanId = Guid.NewGuid(),
            Source = Source,
            BatchIndex = 0,
            ObservedAt = at,
            Findings = [.. Enumerable.Range(b * BatchSize, Math.Min(BatchSize, count - b * BatchSize)).Select(i => Generate(i, b % Accounts.Length, at))],
        }).ToList();
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            int b;
            while ((b = Interlocked.Increment(ref next)) < batches.Count)
            {
                await store.IngestAsync(batches[b], CancellationToken.None);
            }
        })));

        return count / clock.Elapsed.TotalSeconds;
    }

    private static IHost Publisher(string rabbit, string prefix)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bus:Transport"] = "RabbitMq",
            ["Bus:RabbitMq:Uri"] = rabbit,
            ["Bus:EntityPrefix"] = prefix,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddOffloadBus();
        return builder.Build();
    }

    /// <summary>Rows stored so far: the highest rowid (findings are only inserted during the run), read without a scan.</summary>
    private static async Task<long> StoredAsync(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(rowid), 0) FROM findings";
        try
        {
            return (long)(await command.ExecuteScalarAsync())!;
        }
        catch (SqliteException)
        {
            return 0; // the schema is not there yet
        }
    }

    private static async Task<List<double>> MeasureAsync(int count, Func<int, Task<HttpResponseMessage>> request)
    {
        (await request(0)).EnsureSuccessStatusCode(); // warm up
        var latencies = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await request(i);
            await response.Content.LoadIntoBufferAsync();
            latencies.Add(clock.Elapsed.TotalMilliseconds);
            response.EnsureSuccessStatusCode();
        }

        return latencies;
    }

    /// <summary>
    /// CPU time of this process (inventory host and publisher) and garbage collections over a phase: on a shared machine
    /// the CPU per finding says more than the wall clock does.
    /// </summary>
    private sealed class CpuAndGc
    {
        private readonly TimeSpan _cpu = Process.GetCurrentProcess().TotalProcessorTime;
        private readonly int[] _collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        private readonly TimeSpan _pause = GC.GetTotalPauseDuration();
        private readonly long _allocated = GC.GetTotalAllocatedBytes();
        private readonly TimeSpan? _broker = BrokerCpu();
        private readonly long? _written = Written();

        public static CpuAndGc Start() => new();

        /// <summary>CPU and bytes written per finding: steadier figures than the wall clock on a shared machine.</summary>
        public string Brief(int findings)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpu;
            return $"CPU {cpu.TotalMilliseconds * 1000 / findings:0} µs per finding" +
                (Written() - _written is { } written ? $", written {written / (double)findings / 1024:0.0} KiB per finding" : "");
        }

        /// <summary>Bytes this process has written with write calls so far (Linux), SQLite's log and database included.</summary>
        private static long? Written()
        {
            try
            {
                var line = File.ReadLines("/proc/self/io").FirstOrDefault(l => l.StartsWith("wchar:", StringComparison.Ordinal));
                return line is null ? null : long.Parse(line.AsSpan(6).Trim(), CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }

        public string Report(int findings)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpu;
            return $"process CPU {cpu.TotalSeconds:0.0}s = {cpu.TotalMilliseconds * 1000 / findings:0} µs per finding; " +
                (Written() - _written is { } written ? $"written {written / (double)findings / 1024:0.0} KiB per finding; " : "") +
                $"allocated {(GC.GetTotalAllocatedBytes() - _allocated) / (double)findings / 1024:0.0} KiB per finding; " +
                $"GCs gen0/1/2 {GC.CollectionCount(0) - _collections[0]}/{GC.CollectionCount(1) - _collections[1]}/{GC.CollectionCount(2) - _collections[2]}, " +
                $"paused {(GC.GetTotalPauseDuration() - _pause).TotalSeconds:0.0}s" +
                (BrokerCpu() - _broker is { } broker ? $"; local RabbitMQ CPU {broker.TotalMilliseconds * 1000 / findings:0} µs per finding" : "");
        }

        /// <summary>CPU time of a RabbitMQ running on this machine (it shares the cores), when there is one.</summary>
        private static TimeSpan? BrokerCpu()
        {
            var total = TimeSpan.Zero;
            var found = false;
            foreach (var process in Process.GetProcessesByName("beam.smp"))
            {
                using (process)
                {
                    try
                    {
                        total += process.TotalProcessorTime;
                        found = true;
                    }
                    catch (InvalidOperationException)
                    {
                        // exited meanwhile
                    }
                }
            }

            return found ? total : null;
        }
    }

    /// <summary>
    /// Watches the inventory's endpoints: when the first message arrived from the broker (before it was deserialized),
    /// when the last batch was consumed (stored and its changes published), how many attempts failed.
    /// </summary>
    private sealed class ConsumeProgress : IConsumeObserver, IReceiveObserver
    {
        private long _first;
        private long _last;
        private int _consumed;
        private int _faults;

        public int Consumed => Volatile.Read(ref _consumed);

        public int Faults => Volatile.Read(ref _faults);

        /// <summary>From the start of the first <see cref="FindingsObserved"/> consumed to the end of the last.</summary>
        public TimeSpan Window => Stopwatch.GetElapsedTime(Interlocked.Read(ref _first), Interlocked.Read(ref _last));

        /// <summary>Until <paramref name="batches"/> were consumed; fails when none was for <paramref name="stall"/>.</summary>
        public async Task WaitAsync(int batches, TimeSpan stall)
        {
            var seen = -1;
            var since = Stopwatch.StartNew();
            while (Consumed < batches)
            {
                if (Consumed != seen)
                {
                    seen = Consumed;
                    since.Restart();
                }
                else if (since.Elapsed > stall)
                {
                    throw new TimeoutException($"Only {seen:N0} of {batches:N0} batches were consumed ({Faults} failed attempts).");
                }

                await Task.Delay(10);
            }
        }

        public Task PreReceive(ReceiveContext context)
        {
            Interlocked.CompareExchange(ref _first, Stopwatch.GetTimestamp(), 0);
            return Task.CompletedTask;
        }

        public Task PostReceive(ReceiveContext context) => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
            where T : class => Task.CompletedTask;

        public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
            where T : class => Task.CompletedTask;

        public Task ReceiveFault(ReceiveContext context, Exception exception) => Task.CompletedTask;

        public Task PreConsume<T>(ConsumeContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context)
            where T : class
        {
            if (context.Message is FindingsObserved)
            {
                Interlocked.Exchange(ref _last, Stopwatch.GetTimestamp());
                Interlocked.Increment(ref _consumed);
            }

            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
            where T : class
        {
            if (context.Message is FindingsObserved)
            {
                Interlocked.Increment(ref _faults);
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>Samples the process's working set every 50 ms.</summary>
    private sealed class PeakMemory : IDisposable
    {
        private readonly Timer _timer;
        private long _peak;

        public PeakMemory() => _timer = new Timer(_ => Sample(), null, 0, 50);

        public long Peak
        {
            get
            {
                Sample();
                return Interlocked.Read(ref _peak);
            }
        }

        public void Reset() => Interlocked.Exchange(ref _peak, 0);

        private void Sample()
        {
            using var process = Process.GetCurrentProcess();
            var current = process.WorkingSet64;
            long seen;
            while (current > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, current, seen) != seen)
            {
            }
        }

        public void Dispose() => _timer.Dispose();
    }
}
