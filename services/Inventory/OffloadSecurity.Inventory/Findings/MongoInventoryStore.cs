using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using MongoDB.Bson;
using MongoDB.Driver;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Inventory.Posture;
using static OffloadSecurity.Inventory.Findings.MongoInventoryMappings;
using Q = OffloadSecurity.Inventory.Findings.MongoInventoryQueries;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>
/// The distributed inventory: MongoDB, with the same semantics as <see cref="SqliteInventoryStore"/>.
/// <para>
/// No multi-document transactions (a standalone <c>mongod</c> has none), so every guarantee rests on single-document
/// atomicity: a finding's status, content and history change in one update; each update of a stored finding carries
/// the revision it was decided on (optimistic concurrency), so concurrent consumers never both report one change; the
/// ingest is a single unordered BulkWrite per batch, and the few writes a concurrent writer overtook are decided again.
/// A redelivered batch finds everything unchanged and writes nothing. The resolve step of a scan is claimed atomically
/// by whichever message completes it. What is not atomic with the findings: the per-day posture counters (written just
/// after) — a crash between the two leaves the trend off by those changes, never the findings.
/// </para>
/// </summary>
public sealed class MongoInventoryStore : IInventoryStore
{
    /// <summary>How often a write overtaken by concurrent writers is decided again before the message is retried.</summary>
    private const int MaxAttempts = 8;
    private const int ChunkSize = 500;

    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;
    private static readonly BulkWriteOptions Unordered = new() { IsOrdered = false };

    private readonly IMongoDatabase _database;
    private readonly IMongoCollection<FindingDocument> _findings;
    private readonly IMongoCollection<SourceScanDocument> _scans;
    private readonly IMongoCollection<PostureDailyDocument> _daily;
    private readonly TimeProvider _time;

    public MongoInventoryStore(IMongoDatabase database, TimeProvider? time = null)
    {
        Register();
        _database = database;
        _findings = database.GetCollection<FindingDocument>(FindingsCollection);
        _scans = database.GetCollection<SourceScanDocument>(SourceScansCollection);
        _daily = database.GetCollection<PostureDailyDocument>(PostureDailyCollection);
        _time = time ?? TimeProvider.System;
    }

    private DateTimeOffset Now() => Truncate(_time.GetUtcNow());

    public async Task InitializeAsync(CancellationToken ct)
    {
        await _findings.Indexes.CreateManyAsync(Q.FindingIndexes, ct);
        await _scans.Indexes.CreateManyAsync(Q.SourceScanIndexes, ct);
        await _daily.Indexes.CreateManyAsync(Q.PostureDailyIndexes, ct);
    }

    public Task PingAsync(CancellationToken ct) =>
        _database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: ct);

    // ---------------------------------------------------------------- ingest

    public async Task<IReadOnlyList<FindingDelta>> IngestAsync(FindingsObserved batch, CancellationToken ct)
    {
        var tenantId = batch.TenantId;
        var seenAt = Truncate(batch.ObservedAt);
        var day = Day(seenAt);
        var incoming = new Dictionary<string, NormalizedFinding>(batch.Findings.Count, StringComparer.Ordinal);
        foreach (var finding in batch.Findings)
        {
            incoming[finding.Fingerprint] = finding;
        }

        var hashes = incoming.Values.ToDictionary(f => f.Fingerprint, ContentHash, StringComparer.Ordinal);
        var changes = new List<(FindingChangeKind Kind, FindingDocument After)>();
        var daily = new DailyCounts();
        var pending = incoming.Values.ToList();
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            if (attempt > MaxAttempts)
            {
                throw new ConcurrentWriteException(tenantId, pending.Count);
            }

            var op = NewOp(); // one write id per attempt: what an attempt applied is told apart from the next one
            var stored = await LoadStatesAsync(tenantId, pending.Select(f => f.Fingerprint), ct);
            var plans = new List<Plan>(pending.Count);
            foreach (var f in pending)
            {
                if (Decide(batch, f, hashes[f.Fingerprint], seenAt, stored.GetValueOrDefault(f.Fingerprint), op) is { } plan)
                {
                    plans.Add(plan);
                }
            }

            var applied = await ApplyAsync(tenantId, plans.Select(p => p.Model).ToList(), plans.Select(p => p.After.Fingerprint).ToList(), op, ct);
            pending = [];
            for (var i = 0; i < plans.Count; i++)
            {
                var plan = plans[i];
                if (!applied[i])
                {
                    pending.Add(plan.After.Finding);
                    continue;
                }

                daily.Count(day, plan.Before, plan.After);
                if (plan.Kind is { } kind)
                {
                    changes.Add((kind, plan.After));
                }
            }
        }

        await daily.SaveAsync(_daily, tenantId, batch.AccountId, ct);
        await _scans.BulkWriteAsync([Q.BatchReceived(batch)], cancellationToken: ct);
        var resolved = await ResolveIfScanFinishedAsync(tenantId, batch.ScanId, batch.Source, ct);
        var now = _time.GetUtcNow();
        return [.. changes.Select(c => Delta(tenantId, c.Kind, c.After, c.After.Finding.RawJson, now)), .. resolved];
    }

    /// <summary>What to write for one observation, and the change it makes; null when there is nothing to write.</summary>
    private static Plan? Decide(FindingsObserved batch, NormalizedFinding f, string hash, DateTimeOffset seenAt, FindingDocument? old, string op)
    {
        var closed = f.State == ObservedState.Closed;
        if (old is null)
        {
            var created = new FindingDocument
            {
                TenantId = batch.TenantId,
                Fingerprint = f.Fingerprint,
                AccountId = batch.AccountId,
                Status = closed ? FindingStatus.Resolved : FindingStatus.New,
                FirstSeen = seenAt,
                LastSeen = seenAt,
                ResolvedAt = closed ? seenAt : null,
                LastScanId = batch.ScanId,
                ContentHash = hash,
                Revision = 1,
                Finding = f,
            };
            return new Plan(Q.Insert(created, op), null, created, FindingChangeKind.Created);
        }

        if (seenAt < old.LastSeen || (old.Status == FindingStatus.Resolved && seenAt < old.ResolvedAt))
        {
            // An older observation (out of order or redelivered late) never moves a finding back: not to older
            // content, and not to open when a later scan (or the provider) resolved it after that observation.
            return null;
        }

        FindingChangeKind? kind = null;
        FindingStatus status;
        var resolvedAt = old.ResolvedAt;
        if (closed)
        {
            status = FindingStatus.Resolved;
            resolvedAt ??= seenAt;
            kind = old.Status == FindingStatus.Resolved ? null : FindingChangeKind.Resolved;
        }
        else if (old.Status == FindingStatus.Resolved)
        {
            status = FindingStatus.Reopened;
            resolvedAt = null;
            kind = FindingChangeKind.Reopened;
        }
        else
        {
            status = old.Status == FindingStatus.New && old.LastScanId != batch.ScanId ? FindingStatus.Active : old.Status;
        }

        var contentChanged = old.ContentHash != hash;
        kind ??= contentChanged ? FindingChangeKind.Updated : null;
        if (!contentChanged && status == old.Status && old.LastSeen == seenAt && old.LastScanId == batch.ScanId)
        {
            return null; // identical input: nothing to write, nothing to publish
        }

        var after = new FindingDocument
        {
            TenantId = batch.TenantId,
            Fingerprint = f.Fingerprint,
            AccountId = old.AccountId,
            Status = status,
            FirstSeen = old.FirstSeen,
            LastSeen = seenAt,
            ResolvedAt = resolvedAt,
            LastScanId = batch.ScanId,
            ContentHash = hash,
            Revision = old.Revision + 1,
            Workflow = old.Workflow,
            Finding = f,
        };
        var history = kind is FindingChangeKind.Resolved or FindingChangeKind.Reopened
            ? new FindingHistoryEntry
            {
                At = seenAt,
                Transition = kind.Value.ToString(),
                From = old.Status.ToString(),
                To = status.ToString(),
                Actor = "scan:" + batch.ScanId,
            }
            : null;
        return new Plan(Q.Observe(old, after, history, op), old, after, kind);
    }

    public async Task<IReadOnlyList<FindingDelta>> CompleteSourceScanAsync(SourceScanCompleted completed, CancellationToken ct)
    {
        await _scans.BulkWriteAsync([Q.Completed(completed)], cancellationToken: ct);
        return await ResolveIfScanFinishedAsync(completed.TenantId, completed.ScanId, completed.Source, ct);
    }

    /// <summary>
    /// Batches and the completion may arrive in any order; the write after which all are in claims the scan's resolve
    /// step (one atomic update, so exactly one message does it) and resolves the findings a complete scan did not see.
    /// A partial scan resolves nothing. If the process dies after the claim, the next complete scan resolves them.
    /// </summary>
    private async Task<List<FindingDelta>> ResolveIfScanFinishedAsync(string tenantId, Guid scanId, string source, CancellationToken ct)
    {
        var scan = await _scans.FindOneAndUpdateAsync(Q.ReadyToResolve(tenantId, scanId, source), Q.ClaimResolution,
            new FindOneAndUpdateOptions<SourceScanDocument> { ReturnDocument = ReturnDocument.After }, ct);
        if (scan is not { Complete: true, StartedAt: { } startedAt, FinishedAt: { } finishedAt })
        {
            return [];
        }

        var day = Day(finishedAt);
        var daily = new DailyCounts();
        var resolved = new List<(FindingDocument After, string RawJson)>();
        var options = new FindOptions<FindingDocument, FindingDocument> { Projection = Q.WithRawJsonProjection, BatchSize = ChunkSize };
        for (var attempt = 1; ; attempt++)
        {
            // Each pass sees only what is still open: what the last pass resolved no longer matches.
            var op = NewOp();
            var overtaken = 0;
            using var cursor = await _findings.FindAsync(Q.MissingFromScan(tenantId, scan.AccountId, source, scanId, startedAt), options, ct);
            while (await cursor.MoveNextAsync(ct))
            {
                var chunk = cursor.Current.ToList();
                var models = new List<UpdateOneModel<FindingDocument>>(chunk.Count);
                foreach (var before in chunk)
                {
                    models.Add(Q.Resolve(before, finishedAt, new FindingHistoryEntry
                    {
                        At = finishedAt,
                        Transition = nameof(FindingChangeKind.Resolved),
                        From = before.Status.ToString(),
                        To = nameof(FindingStatus.Resolved),
                        Actor = "scan:" + scanId,
                    }, op));
                }

                var applied = await ApplyAsync(tenantId, models, [.. chunk.Select(d => d.Fingerprint)], op, ct);
                for (var i = 0; i < chunk.Count; i++)
                {
                    if (!applied[i])
                    {
                        overtaken++;
                        continue;
                    }

                    var before = chunk[i];
                    daily.Resolve(day, before.Finding.SeverityId);
                    var raw = before.Finding.RawJson;
                    before.Status = FindingStatus.Resolved;
                    before.ResolvedAt = finishedAt;
                    resolved.Add((before, raw));
                }
            }

            if (overtaken == 0)
            {
                break;
            }

            if (attempt == MaxAttempts)
            {
                throw new ConcurrentWriteException(tenantId, overtaken);
            }
        }

        await daily.SaveAsync(_daily, tenantId, scan.AccountId, ct);
        var now = _time.GetUtcNow();
        return [.. resolved.Select(r => Delta(tenantId, FindingChangeKind.Resolved, r.After, r.RawJson, now))];
    }

    private async Task<Dictionary<string, FindingDocument>> LoadStatesAsync(string tenantId, IEnumerable<string> fingerprints, CancellationToken ct)
    {
        var states = await _findings.Find(Q.Many(tenantId, fingerprints)).Project<FindingDocument>(Q.StateProjection).ToListAsync(ct);
        return states.ToDictionary(s => s.Fingerprint, StringComparer.Ordinal);
    }

    /// <summary>
    /// One unordered BulkWrite; returns which of <paramref name="models"/> applied. When all did (the usual case) that
    /// is known from the counts alone; otherwise the inserts are known from the upserts, and the updates from the write
    /// id each one leaves in <c>recent_ops</c>.
    /// </summary>
    private async Task<bool[]> ApplyAsync(
        string tenantId, IReadOnlyList<UpdateOneModel<FindingDocument>> models, IReadOnlyList<string> fingerprints, string op, CancellationToken ct)
    {
        var applied = new bool[models.Count];
        if (models.Count == 0)
        {
            return applied;
        }

        BulkWriteResult<FindingDocument> result;
        try
        {
            result = await _findings.BulkWriteAsync(models, Unordered, ct);
        }
        catch (MongoBulkWriteException<FindingDocument> ex)
            when (ex.WriteConcernError is null && ex.WriteErrors.All(e => e.Category == ServerErrorCategory.DuplicateKey))
        {
            result = ex.Result; // two first sightings raced: the loser is decided again against what the winner stored
        }

        if (result.ModifiedCount + result.Upserts.Count == models.Count)
        {
            Array.Fill(applied, true);
            return applied;
        }

        foreach (var upsert in result.Upserts)
        {
            applied[upsert.Index] = true;
        }

        var written = (await _findings.Find(Q.WrittenBy(tenantId, fingerprints, op))
            .Project(Builders<FindingDocument>.Projection.Include(Finding.Fingerprint)).ToListAsync(ct))
            .Select(d => d[Finding.Fingerprint].AsString).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < models.Count; i++)
        {
            applied[i] |= written.Contains(fingerprints[i]);
        }

        return applied;
    }

    /// <summary>The same "meaningful content" as the SQLite store: everything the API shows, without raw JSON and UpdatedAt.</summary>
    private static string ContentHash(NormalizedFinding finding) => Convert.ToHexString(
        SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(finding with { RawJson = "", UpdatedAt = null }, Json)).AsSpan(0, 16));

    private static string NewOp() => ObjectId.GenerateNewId().ToString();

    private static string Day(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime).ToString("O", CultureInfo.InvariantCulture);

    // ---------------------------------------------------------------- workflow

    public async Task<FindingDelta?> SetWorkflowAsync(string tenantId, string fingerprint, WorkflowChange change, CancellationToken ct)
    {
        var op = NewOp();
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var now = Now();
            var stored = await _findings.Find(Q.One(tenantId, fingerprint)).Project<FindingDocument>(Q.WithRawJsonProjection).FirstOrDefaultAsync(ct);
            if (stored is null)
            {
                return null;
            }

            var before = ToRecord(stored, now);
            var workflow = change.State == WorkflowState.None
                ? null
                : new FindingWorkflow
                {
                    State = change.State,
                    Note = change.Note,
                    By = change.Actor,
                    At = now,
                    ExpiresAt = change.ExpiresAt is { } expires ? Truncate(expires) : null,
                };
            var record = before with { Workflow = workflow };
            var history = new FindingHistoryEntry
            {
                At = now,
                Transition = change.State == WorkflowState.None ? "WorkflowCleared" : change.State.ToString(),
                From = before.EffectiveStatus,
                To = record.EffectiveStatus,
                Actor = change.Actor,
                Note = change.Note,
            };
            var result = await _findings.UpdateOneAsync(
                Q.Unchanged(tenantId, fingerprint, stored.Revision), Q.SetWorkflow(workflow, history, op), cancellationToken: ct);
            if (result.ModifiedCount == 1)
            {
                return new FindingDelta(record.AccountId, new FindingChange
                {
                    Fingerprint = fingerprint,
                    Kind = FindingChangeKind.Workflow,
                    OcsfJson = OcsfMapper.ToJson(tenantId, record, stored.Finding.RawJson, FindingChangeKind.Workflow, now),
                });
            }
        }

        throw new ConcurrentWriteException(tenantId, 1);
    }

    /// <summary>
    /// The lapsed acceptances of every tenant, earliest expiry first; each is ended by a write guarded by the revision it
    /// was read at (<see cref="MongoInventoryQueries.ExpireAcceptance"/>). When the guard misses, the finding is read
    /// again: ended by another instance, renewed or cleared by an analyst (nothing to do), or changed by a scan (decided
    /// again on what is stored now).
    /// </summary>
    public async Task<AcceptanceExpiryBatch> ExpireRiskAcceptancesAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        now = Truncate(now);
        var lapsed = await _findings.Find(Q.LapsedRiskAcceptances(now))
            .Sort(Q.ByExpiry)
            .Limit(limit)
            .Project<FindingDocument>(Q.WithRawJsonProjection)
            .ToListAsync(ct);
        var ended = new List<ExpiredAcceptance>();
        foreach (var candidate in lapsed)
        {
            if (await ExpireAsync(candidate, now, ct) is { } delta)
            {
                ended.Add(new ExpiredAcceptance(candidate.TenantId, delta));
            }
        }

        return new AcceptanceExpiryBatch(ended, lapsed.Count);
    }

    private async Task<FindingDelta?> ExpireAsync(FindingDocument? stored, DateTimeOffset now, CancellationToken ct)
    {
        var op = NewOp();
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            if (stored?.Workflow is not { State: WorkflowState.RiskAccepted, ExpiresAt: { } expiresAt } acceptance || expiresAt > now)
            {
                return null;
            }

            var after = ToRecord(stored, now);
            var expire = Q.ExpireAcceptance(stored, FindingHistoryEntry.ForExpiredAcceptance(after, acceptance), op);
            var result = await _findings.UpdateOneAsync(expire.Filter, expire.Update, cancellationToken: ct);
            if (result.ModifiedCount == 1)
            {
                stored.Workflow = null;
                return Delta(stored.TenantId, FindingChangeKind.Workflow, stored, stored.Finding.RawJson, now);
            }

            stored = await _findings.Find(Q.One(stored.TenantId, stored.Fingerprint)).Project<FindingDocument>(Q.WithRawJsonProjection).FirstOrDefaultAsync(ct);
        }

        return null; // kept changing under this sweep: the next round tries again
    }

    // ---------------------------------------------------------------- queries

    public async Task<FindingPage> QueryAsync(string tenantId, FindingQuery query, CancellationToken ct)
    {
        var now = Now();
        var rows = await _findings.Find(Q.Query(tenantId, query, now, paged: true))
            .Sort(Q.Sort(query.Sort))
            .Limit(query.Limit + 1)
            .Project<FindingDocument>(Q.ListProjection)
            .ToListAsync(ct);
        var page = rows.Take(query.Limit).Select(d => ToRecord(d, now)).ToList();
        var next = rows.Count > query.Limit ? FindingCursor.Encode(query.Sort, Q.CursorKey(query.Sort, page[^1]), page[^1].Fingerprint) : null;
        return new FindingPage(page, next);
    }

    public async IAsyncEnumerable<ExportedFinding> ExportAsync(string tenantId, FindingQuery query, [EnumeratorCancellation] CancellationToken ct)
    {
        var now = Now();
        var options = new FindOptions<FindingDocument, FindingDocument>
        {
            Sort = Q.Sort(query.Sort),
            Projection = Q.WithRawJsonProjection,
            BatchSize = ChunkSize,
        };
        using var cursor = await _findings.FindAsync(Q.Query(tenantId, query with { Cursor = null }, now, paged: false), options, ct);
        while (await cursor.MoveNextAsync(ct))
        {
            foreach (var document in cursor.Current)
            {
                yield return new ExportedFinding(ToRecord(document, now), document.Finding.RawJson);
            }
        }
    }

    public async Task<FindingRecord?> FindAsync(string tenantId, string fingerprint, CancellationToken ct)
    {
        var now = Now();
        var stored = await _findings.Find(Q.One(tenantId, fingerprint)).Project<FindingDocument>(Q.DetailProjection).FirstOrDefaultAsync(ct);
        if (stored is null)
        {
            return null;
        }

        var record = ToRecord(stored, now);
        var history = new List<FindingHistoryEntry>
        {
            new() { At = record.FirstSeen, Transition = "Created", To = nameof(FindingStatus.New), Actor = "scan" },
        };
        history.AddRange(stored.History.OrderBy(h => h.At));
        if (stored.Workflow is { ExpiresAt: not null } lapsed && record.Workflow is null && history.Count > 1
            && history[^1].Transition == nameof(WorkflowState.RiskAccepted))
        {
            // Lapsed, and the expiry sweep has not ended it yet: shown as it will be recorded.
            history.Add(FindingHistoryEntry.ForExpiredAcceptance(record, lapsed));
        }

        return record with { History = history };
    }

    private static FindingRecord ToRecord(FindingDocument d, DateTimeOffset now)
    {
        var f = d.Finding;
        return new FindingRecord
        {
            Fingerprint = d.Fingerprint,
            AccountId = d.AccountId,
            Status = d.Status,
            Class = f.Class,
            Severity = f.Severity,
            SeverityId = f.SeverityId,
            Title = f.Title,
            Description = f.Description,
            Remediation = f.Remediation,
            RemediationUrl = f.RemediationUrl,
            Provider = f.Provider,
            CloudAccountId = f.CloudAccountId,
            Region = f.Region,
            Source = f.Source,
            NativeId = f.NativeId,
            ProductName = f.ProductName,
            Resource = f.Resource,
            Compliance = f.Compliance,
            Vulnerabilities = f.Vulnerabilities,
            FirstSeen = d.FirstSeen,
            LastSeen = d.LastSeen,
            ResolvedAt = d.ResolvedAt,
            LastScanId = d.LastScanId,
            // A risk acceptance that has expired is no longer in force: the finding counts as active again.
            Workflow = d.Workflow is { } w && (w.ExpiresAt is null || w.ExpiresAt > now) ? w : null,
        };
    }

    private static FindingDelta Delta(string tenantId, FindingChangeKind kind, FindingDocument after, string rawJson, DateTimeOffset now)
    {
        var record = ToRecord(after, now);
        return new FindingDelta(after.AccountId, new FindingChange
        {
            Fingerprint = after.Fingerprint,
            Kind = kind,
            OcsfJson = OcsfMapper.ToJson(tenantId, record, rawJson, kind, now),
        });
    }

    // ---------------------------------------------------------------- posture

    public async Task<PostureSummary> SummarizeAsync(string tenantId, CancellationToken ct)
    {
        var rows = await (await _findings.AggregateAsync(Q.Summary(tenantId, Now()), cancellationToken: ct)).ToListAsync(ct);
        var counts = rows.Select(ReadSummaryRow).ToList();
        return new PostureSummary
        {
            Score = PostureScore.Compute(counts),
            Total = counts.Sum(c => c.Count),
            Open = counts.Where(c => PostureScore.IsOpen(c.Status)).Sum(c => c.Count),
            OpenBySeverity = Enum.GetValues<Severity>().ToDictionary(
                s => s.ToString(), s => counts.Where(c => c.Severity == s && PostureScore.IsOpen(c.Status)).Sum(c => c.Count)),
            ByStatus = counts.GroupBy(c => c.Status).ToDictionary(g => g.Key, g => g.Sum(c => c.Count)),
            Counts = counts,
        };
    }

    /// <summary>As the SQLite store: today's open counts, replayed backwards with the per-day net changes.</summary>
    public async Task<PostureTrend> TrendAsync(string tenantId, int days, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        var first = today.AddDays(1 - days);
        var openNow = (await (await _findings.AggregateAsync(Q.OpenBySeverity(tenantId), cancellationToken: ct)).ToListAsync(ct))
            .ToDictionary(r => r["_id"].ToInt32(), r => r["count"].ToInt64());
        var changes = (await (await _daily.AggregateAsync(Q.DailyChanges(tenantId, first.ToString("O", CultureInfo.InvariantCulture)), cancellationToken: ct)).ToListAsync(ct))
            .Select(ReadDailyRow)
            .ToList();

        var open = Enum.GetValues<Severity>().ToDictionary(s => (int)s, s => openNow.GetValueOrDefault((int)s));
        var result = new List<PostureTrendDay>(days);
        for (var day = today; day >= first; day = day.AddDays(-1))
        {
            var key = day.ToString("O", CultureInfo.InvariantCulture);
            var ofDay = changes.Where(c => c.Day == key).ToList();
            result.Add(new PostureTrendDay(
                day,
                open.Values.Sum(),
                open.ToDictionary(kv => ((Severity)kv.Key).ToString(), kv => kv.Value),
                ofDay.Sum(c => c.Opened),
                ofDay.Sum(c => c.Resolved)));
            foreach (var change in ofDay)
            {
                open[change.SeverityId] = open.GetValueOrDefault(change.SeverityId) - change.Net;
            }
        }

        result.Reverse();
        return new PostureTrend(result);
    }

    /// <summary>One row of <see cref="MongoInventoryQueries.Summary"/>.</summary>
    internal static PostureCount ReadSummaryRow(BsonDocument row)
    {
        var key = row["_id"].AsBsonDocument;
        return new PostureCount(
            Enum.Parse<CloudProvider>(key["provider"].AsString),
            key["account_id"].AsBsonBinaryData.ToGuid(GuidRepresentation.Standard),
            (Severity)key["severity_id"].ToInt32(),
            key["status"].AsString,
            row["count"].ToInt64());
    }

    /// <summary>One row of <see cref="MongoInventoryQueries.DailyChanges"/>.</summary>
    internal static (string Day, int SeverityId, long Opened, long Resolved, long Net) ReadDailyRow(BsonDocument row) => (
        row["_id"]["day"].AsString,
        row["_id"]["severity_id"].ToInt32(),
        row["opened"].ToInt64(),
        row["resolved"].ToInt64(),
        row["net"].ToInt64());

    // ---------------------------------------------------------------- account deletion

    public async Task<int> DeleteAccountAsync(string tenantId, Guid accountId, CancellationToken ct)
    {
        var removed = await _findings.DeleteManyAsync(Q.OfAccount(tenantId, accountId), ct);
        await _daily.DeleteManyAsync(Q.DailyOfAccount(tenantId, accountId), ct);
        await _scans.DeleteManyAsync(Q.ScansOfAccount(tenantId, accountId), ct);
        return (int)removed.DeletedCount;
    }

    // ---------------------------------------------------------------- types

    /// <summary>One decided write: the model, the stored state it was decided on (null for a first sighting), the result.</summary>
    private sealed record Plan(UpdateOneModel<FindingDocument> Model, FindingDocument? Before, FindingDocument After, FindingChangeKind? Kind);

    /// <summary>Per (day, severity) changes of the open count, added to <c>inventory_posture_daily</c> after the findings.</summary>
    private sealed class DailyCounts
    {
        private readonly Dictionary<(string Day, int Severity), (long Opened, long Resolved, long Net)> _counts = [];

        /// <summary>The open-count change of one applied write, as the SQLite store counts it.</summary>
        public void Count(string day, FindingDocument? before, FindingDocument after)
        {
            var wasOpen = before is not null && before.Status != FindingStatus.Resolved;
            var isOpen = after.Status != FindingStatus.Resolved;
            if (wasOpen && !isOpen)
            {
                Resolve(day, before!.Finding.SeverityId);
            }
            else if (!wasOpen && isOpen)
            {
                Add(day, after.Finding.SeverityId, 1, 0, 1);
            }
            else if (isOpen && before!.Finding.SeverityId != after.Finding.SeverityId)
            {
                Add(day, before.Finding.SeverityId, 0, 0, -1);
                Add(day, after.Finding.SeverityId, 0, 0, 1);
            }
        }

        public void Resolve(string day, int severity) => Add(day, severity, 0, 1, -1);

        private void Add(string day, int severity, long opened, long resolved, long net)
        {
            var current = _counts.GetValueOrDefault((day, severity));
            _counts[(day, severity)] = (current.Opened + opened, current.Resolved + resolved, current.Net + net);
        }

        public async Task SaveAsync(IMongoCollection<PostureDailyDocument> collection, string tenantId, Guid accountId, CancellationToken ct)
        {
            var models = _counts.Where(kv => kv.Value != default)
                .Select(kv => Q.DailyIncrement(tenantId, accountId, kv.Key.Day, kv.Key.Severity, kv.Value.Opened, kv.Value.Resolved, kv.Value.Net))
                .ToList();
            if (models.Count > 0)
            {
                await collection.BulkWriteAsync(models, Unordered, ct);
            }
        }
    }
}

/// <summary>Other writers kept overtaking this one; the message fails and the bus retries it with fresh state.</summary>
public sealed class ConcurrentWriteException(string tenantId, int findings)
    : Exception($"Concurrent writes kept overtaking this write of {findings} finding(s) of tenant {tenantId}; retry it.");
