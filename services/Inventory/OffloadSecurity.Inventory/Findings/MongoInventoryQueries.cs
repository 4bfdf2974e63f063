using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using MongoDB.Bson;
using MongoDB.Driver;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Scanning;
using static OffloadSecurity.Inventory.Findings.MongoInventoryMappings;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>
/// Every filter, update, sort, projection, pipeline and index <see cref="MongoInventoryStore"/> sends, built here as
/// pure functions so tests can render them without a server. Each finding, scan and posture filter starts with the
/// tenant predicate (<see cref="Tenant"/>, <see cref="Scan"/>, <see cref="Daily"/>): there is no other way to build one.
/// </summary>
internal static class MongoInventoryQueries
{
    /// <summary>History entries kept per finding (the oldest are dropped beyond this).</summary>
    public const int MaxHistory = 500;

    /// <summary>Write ids kept per finding, to tell which writes of an unordered bulk applied.</summary>
    public const int RecentOpsKept = 8;

    /// <summary>The one index that does not start with the tenant: the expiry sweep's, over risk acceptances only.</summary>
    public const string RiskAcceptanceExpiryIndex = "risk_acceptance_expiry";

    private static FilterDefinitionBuilder<FindingDocument> F => Builders<FindingDocument>.Filter;
    private static UpdateDefinitionBuilder<FindingDocument> U => Builders<FindingDocument>.Update;
    private static FilterDefinitionBuilder<SourceScanDocument> S => Builders<SourceScanDocument>.Filter;
    private static FilterDefinitionBuilder<PostureDailyDocument> P => Builders<PostureDailyDocument>.Filter;

    // ---------------------------------------------------------------- findings: filters

    public static FilterDefinition<FindingDocument> Tenant(string tenantId) => F.Eq(d => d.TenantId, tenantId);

    public static FilterDefinition<FindingDocument> One(string tenantId, string fingerprint) =>
        Tenant(tenantId) & F.Eq(d => d.Fingerprint, fingerprint);

    public static FilterDefinition<FindingDocument> Many(string tenantId, IEnumerable<string> fingerprints) =>
        Tenant(tenantId) & F.In(d => d.Fingerprint, fingerprints);

    /// <summary>One finding, only if no other write changed it since it was read at <paramref name="revision"/>.</summary>
    public static FilterDefinition<FindingDocument> Unchanged(string tenantId, string fingerprint, long revision) =>
        One(tenantId, fingerprint) & F.Eq(d => d.Revision, revision);

    /// <summary>Those of <paramref name="fingerprints"/> that the write <paramref name="op"/> changed.</summary>
    public static FilterDefinition<FindingDocument> WrittenBy(string tenantId, IEnumerable<string> fingerprints, string op) =>
        Many(tenantId, fingerprints) & F.AnyEq(d => d.RecentOps, op);

    public static FilterDefinition<FindingDocument> OfAccount(string tenantId, Guid accountId) =>
        Tenant(tenantId) & F.Eq(d => d.AccountId, accountId);

    /// <summary>Open findings of the account and source that a complete scan started at <paramref name="startedAt"/> did not see.</summary>
    public static FilterDefinition<FindingDocument> MissingFromScan(string tenantId, Guid accountId, string source, Guid scanId, DateTimeOffset startedAt) =>
        Tenant(tenantId)
        & F.Eq(d => d.AccountId, accountId)
        & F.Eq(d => d.Finding.Source, source)
        & F.Ne(d => d.LastScanId, scanId)
        & F.Ne(d => d.Status, FindingStatus.Resolved)
        & F.Lt(d => d.LastSeen, startedAt);

    /// <summary>
    /// Risk acceptances that have lapsed by <paramref name="now"/>, in every tenant: the one filter without a tenant, used
    /// only to find the expiry sweep's work (served by the partial index <c>risk_acceptance_expiry</c>); each write it
    /// leads to is <see cref="ExpireAcceptance"/>, keyed by tenant.
    /// </summary>
    public static FilterDefinition<FindingDocument> LapsedRiskAcceptances(DateTimeOffset now) =>
        F.Eq(d => d.Workflow!.State, WorkflowState.RiskAccepted) & F.Lte(d => d.Workflow!.ExpiresAt, now);

    /// <summary>Earliest expiry first.</summary>
    public static SortDefinition<FindingDocument> ByExpiry => Builders<FindingDocument>.Sort.Ascending(Finding.WorkflowExpiresAt);

    /// <summary>The filters of <c>GET /api/findings</c> and the export; with <paramref name="paged"/>, the cursor's keyset predicate too.</summary>
    public static FilterDefinition<FindingDocument> Query(string tenantId, FindingQuery query, DateTimeOffset now, bool paged)
    {
        var filters = new List<FilterDefinition<FindingDocument>> { Tenant(tenantId) };
        if (query.Severity is { } severity)
        {
            filters.Add(F.Eq(d => d.Finding.SeverityId, (int)severity));
        }

        if (query.Status is { } status)
        {
            filters.Add(F.Eq(d => d.Status, status));
        }

        if (query.Provider is { } provider)
        {
            filters.Add(F.Eq(d => d.Finding.Provider, provider));
        }

        if (query.AccountId is { } account)
        {
            filters.Add(F.Eq(d => d.AccountId, account));
        }

        if (query.Source is { } source)
        {
            filters.Add(F.Eq(d => d.Finding.Source, source));
        }

        if (query.Region is { } region)
        {
            filters.Add(F.Eq(d => d.Finding.Region, region));
        }

        if (query.ResourceType is { } resourceType)
        {
            filters.Add(F.Eq(d => d.Finding.Resource.Type, resourceType));
        }

        if (query.ResourceId is { } resourceId)
        {
            filters.Add(F.Eq(d => d.Finding.Resource.Id, resourceId));
        }

        if (query.Compliance is { } compliance)
        {
            filters.Add(F.Eq<string>(Finding.ComplianceRequirement, compliance));
        }

        if (query.Cve is { } cve)
        {
            filters.Add(F.Eq<string>(Finding.VulnerabilityId, cve));
        }

        if (query.Text is { } text)
        {
            var pattern = new BsonRegularExpression(EscapeRegex(text), "i");
            filters.Add(F.Or(F.Regex(d => d.Finding.Title, pattern), F.Regex(d => d.Finding.Resource.Id, pattern)));
        }

        if (query.Workflow is { } workflow)
        {
            filters.Add(workflow == WorkflowState.None
                ? F.Or(F.Eq(d => d.Workflow, null), F.Lte(d => d.Workflow!.ExpiresAt, now))
                : F.Eq(d => d.Workflow!.State, workflow) & F.Or(F.Eq(d => d.Workflow!.ExpiresAt, null), F.Gt(d => d.Workflow!.ExpiresAt, now)));
        }

        if (paged && FindingCursor.TryDecode(query.Cursor, out var after))
        {
            filters.Add(After(query.Sort, after));
        }

        return F.And(filters);
    }

    /// <summary>
    /// A regular expression that matches <paramref name="text"/> literally: every metacharacter is escaped, and NUL
    /// (which a BSON regex cannot hold) is written as <c>\x00</c>.
    /// </summary>
    public static string EscapeRegex(string text)
    {
        var pattern = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c == '\0')
            {
                pattern.Append(@"\x00");
            }
            else
            {
                if (@"\^$.|?*+()[]{}".Contains(c))
                {
                    pattern.Append('\\');
                }

                pattern.Append(c);
            }
        }

        return pattern.ToString();
    }

    // ---------------------------------------------------------------- findings: order, keyset cursor, projections

    /// <summary>The same orders as the SQLite store; each is the exact reverse of its opposite, so one index serves both.</summary>
    public static (string Field, bool Descending, bool FingerprintDescending) SortKeys(FindingSort sort) => sort switch
    {
        FindingSort.SeverityAsc => (Finding.SeverityId, false, true),
        FindingSort.LastSeenDesc => (Finding.LastSeen, true, true),
        FindingSort.LastSeenAsc => (Finding.LastSeen, false, false),
        FindingSort.FirstSeenDesc => (Finding.FirstSeen, true, true),
        FindingSort.FirstSeenAsc => (Finding.FirstSeen, false, false),
        _ => (Finding.SeverityId, true, false),
    };

    public static SortDefinition<FindingDocument> Sort(FindingSort sort)
    {
        var (field, descending, fingerprintDescending) = SortKeys(sort);
        var builder = Builders<FindingDocument>.Sort;
        var byKey = descending ? builder.Descending(field) : builder.Ascending(field);
        return fingerprintDescending ? byKey.Descending(Finding.Fingerprint) : byKey.Ascending(Finding.Fingerprint);
    }

    /// <summary>Strictly after the last row shown, in the sort order: (key beyond) or (same key, fingerprint beyond).</summary>
    public static FilterDefinition<FindingDocument> After(FindingSort sort, FindingCursor.Position after)
    {
        var (_, descending, fingerprintDescending) = SortKeys(sort);
        return sort switch
        {
            FindingSort.SeverityAsc or FindingSort.SeverityDesc =>
                Keyset(d => d.Finding.SeverityId, int.Parse(after.Key, NumberStyles.Integer, CultureInfo.InvariantCulture), descending, fingerprintDescending, after.Fingerprint),
            FindingSort.LastSeenAsc or FindingSort.LastSeenDesc =>
                Keyset(d => d.LastSeen, ParseTime(after.Key), descending, fingerprintDescending, after.Fingerprint),
            _ => Keyset(d => d.FirstSeen, ParseTime(after.Key), descending, fingerprintDescending, after.Fingerprint),
        };
    }

    private static FilterDefinition<FindingDocument> Keyset<TKey>(
        Expression<Func<FindingDocument, TKey>> key, TKey value, bool descending, bool fingerprintDescending, string fingerprint) =>
        F.Or(
            descending ? F.Lt(key, value) : F.Gt(key, value),
            F.Eq(key, value) & (fingerprintDescending ? F.Lt(d => d.Fingerprint, fingerprint) : F.Gt(d => d.Fingerprint, fingerprint)));

    /// <summary>The cursor key of the last row of a page: the severity id, or the time in the SQLite store's format.</summary>
    public static string CursorKey(FindingSort sort, FindingRecord last) => sort switch
    {
        FindingSort.SeverityAsc or FindingSort.SeverityDesc => last.SeverityId.ToString(CultureInfo.InvariantCulture),
        FindingSort.LastSeenAsc or FindingSort.LastSeenDesc => FormatTime(last.LastSeen),
        _ => FormatTime(last.FirstSeen),
    };

    public static string FormatTime(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string key) =>
        Truncate(DateTimeOffset.Parse(key, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));

    /// <summary>A page of the list: no raw JSON, history or write ids.</summary>
    public static ProjectionDefinition<FindingDocument> ListProjection =>
        Builders<FindingDocument>.Projection.Exclude(Finding.RawJson).Exclude(Finding.History).Exclude(Finding.RecentOps);

    /// <summary>The export, a resolve and a workflow change: everything but history and write ids.</summary>
    public static ProjectionDefinition<FindingDocument> WithRawJsonProjection =>
        Builders<FindingDocument>.Projection.Exclude(Finding.History).Exclude(Finding.RecentOps);

    /// <summary>One finding with its history (no raw JSON, no write ids).</summary>
    public static ProjectionDefinition<FindingDocument> DetailProjection =>
        Builders<FindingDocument>.Projection.Exclude(Finding.RawJson).Exclude(Finding.RecentOps);

    /// <summary>What the ingest compares an observation against.</summary>
    public static ProjectionDefinition<FindingDocument> StateProjection => Builders<FindingDocument>.Projection
        .Include(Finding.TenantId).Include(Finding.Fingerprint).Include(Finding.AccountId).Include(Finding.Status).Include(Finding.FirstSeen)
        .Include(Finding.LastSeen).Include(Finding.ResolvedAt).Include(Finding.LastScanId).Include(Finding.ContentHash)
        .Include(Finding.Revision).Include(Finding.Workflow).Include(Finding.SeverityId);

    // ---------------------------------------------------------------- findings: writes

    /// <summary>
    /// A finding seen for the first time: an upsert keyed by (tenant, fingerprint) whose every field is
    /// <c>$setOnInsert</c>, so if another writer inserted it meanwhile this changes nothing (and is not in the
    /// bulk's upserts, so the ingest decides again on what is stored).
    /// </summary>
    public static UpdateOneModel<FindingDocument> Insert(FindingDocument created, string op) => new(
        One(created.TenantId, created.Fingerprint),
        U.SetOnInsert(d => d.AccountId, created.AccountId)
            .SetOnInsert(d => d.Status, created.Status)
            .SetOnInsert(d => d.FirstSeen, created.FirstSeen)
            .SetOnInsert(d => d.LastSeen, created.LastSeen)
            .SetOnInsert(d => d.ResolvedAt, created.ResolvedAt)
            .SetOnInsert(d => d.LastScanId, created.LastScanId)
            .SetOnInsert(d => d.ContentHash, created.ContentHash)
            .SetOnInsert(d => d.Revision, 1L)
            .SetOnInsert(d => d.RecentOps, [op])
            .SetOnInsert(d => d.Workflow, null)
            .SetOnInsert(d => d.History, [])
            .SetOnInsert(d => d.Finding, created.Finding))
    {
        IsUpsert = true,
    };

    /// <summary>
    /// A newer observation of a stored finding, applied only if the finding is still at the revision the decision was
    /// made on. <c>last_seen</c> moves with <c>$max</c>, so it can never go backwards whatever the order of writes.
    /// </summary>
    public static UpdateOneModel<FindingDocument> Observe(
        FindingDocument before, FindingDocument after, FindingHistoryEntry? history, string op)
    {
        var update = U.Set(d => d.Status, after.Status)
            .Set(d => d.ResolvedAt, after.ResolvedAt)
            .Set(d => d.LastScanId, after.LastScanId)
            .Set(d => d.ContentHash, after.ContentHash)
            .Set(d => d.Finding, after.Finding)
            .Max(d => d.LastSeen, after.LastSeen);
        return new UpdateOneModel<FindingDocument>(Unchanged(before.TenantId, before.Fingerprint, before.Revision), Written(update, history, op));
    }

    /// <summary>A finding a complete scan did not see: resolved at the scan's end, if unchanged since it was read.</summary>
    public static UpdateOneModel<FindingDocument> Resolve(FindingDocument before, DateTimeOffset resolvedAt, FindingHistoryEntry history, string op) => new(
        Unchanged(before.TenantId, before.Fingerprint, before.Revision),
        Written(U.Set(d => d.Status, FindingStatus.Resolved).Set(d => d.ResolvedAt, resolvedAt), history, op));

    /// <summary>
    /// Ends a lapsed risk acceptance, only if the finding is still at the revision it was read at (so still holds that
    /// acceptance): of two instances sweeping at once, only one update matches, and only that one publishes.
    /// </summary>
    public static UpdateOneModel<FindingDocument> ExpireAcceptance(FindingDocument before, FindingHistoryEntry history, string op) => new(
        Unchanged(before.TenantId, before.Fingerprint, before.Revision) & F.Eq(d => d.Workflow!.State, WorkflowState.RiskAccepted),
        SetWorkflow(null, history, op));

    /// <summary>An analyst's decision (null clears it), with its history entry.</summary>
    public static UpdateDefinition<FindingDocument> SetWorkflow(FindingWorkflow? workflow, FindingHistoryEntry history, string op) =>
        Written(U.Set(d => d.Workflow, workflow), history, op);

    /// <summary>What every write of a stored finding adds: the next revision, its write id, and its history entry if any.</summary>
    private static UpdateDefinition<FindingDocument> Written(UpdateDefinition<FindingDocument> update, FindingHistoryEntry? history, string op)
    {
        update = update.Inc(d => d.Revision, 1L).PushEach(d => d.RecentOps, [op], slice: -RecentOpsKept);
        return history is null ? update : update.PushEach(d => d.History, [history], slice: -MaxHistory);
    }

    // ---------------------------------------------------------------- source scans

    public static FilterDefinition<SourceScanDocument> Scan(string tenantId, Guid scanId, string source) =>
        S.Eq(d => d.TenantId, tenantId) & S.Eq(d => d.ScanId, scanId) & S.Eq(d => d.Source, source);

    public static FilterDefinition<SourceScanDocument> ScansOfAccount(string tenantId, Guid accountId) =>
        S.Eq(d => d.TenantId, tenantId) & S.Eq(d => d.AccountId, accountId);

    /// <summary>Records that a batch arrived (idempotent: the index is added to a set).</summary>
    public static UpdateOneModel<SourceScanDocument> BatchReceived(FindingsObserved batch) => new(
        Scan(batch.TenantId, batch.ScanId, batch.Source),
        Builders<SourceScanDocument>.Update.AddToSet(d => d.Batches, batch.BatchIndex)
            .SetOnInsert(d => d.AccountId, batch.AccountId)
            .SetOnInsert(d => d.Completed, false)
            .SetOnInsert(d => d.Complete, false)
            .SetOnInsert(d => d.BatchCount, 0)
            .SetOnInsert(d => d.StartedAt, null)
            .SetOnInsert(d => d.FinishedAt, null)
            .SetOnInsert(d => d.Resolved, false))
    {
        IsUpsert = true,
    };

    /// <summary>Records the end of a source scan (a redelivery sets the same values again).</summary>
    public static UpdateOneModel<SourceScanDocument> Completed(SourceScanCompleted completed) => new(
        Scan(completed.TenantId, completed.ScanId, completed.Source),
        Builders<SourceScanDocument>.Update.Set(d => d.AccountId, completed.AccountId)
            .Set(d => d.Completed, true)
            .Set(d => d.Complete, completed.Complete)
            .Set(d => d.BatchCount, completed.BatchCount)
            .Set(d => d.StartedAt, Truncate(completed.ScanStartedAt))
            .Set(d => d.FinishedAt, Truncate(completed.CompletedAt))
            .SetOnInsert(d => d.Batches, [])
            .SetOnInsert(d => d.Resolved, false))
    {
        IsUpsert = true,
    };

    /// <summary>
    /// The scan, if its completion and all its batches are in and nobody claimed its resolve step yet. Batches and the
    /// completion arrive in any order; whichever write makes this match first claims the step (atomically, with
    /// <see cref="ClaimResolution"/>), so the findings it missed are resolved exactly once.
    /// </summary>
    public static FilterDefinition<SourceScanDocument> ReadyToResolve(string tenantId, Guid scanId, string source) =>
        Scan(tenantId, scanId, source)
        & S.Eq(d => d.Completed, true)
        & S.Eq(d => d.Resolved, false)
        & new BsonDocument("$expr", new BsonDocument("$gte", new BsonArray
        {
            new BsonDocument("$size", new BsonDocument("$ifNull", new BsonArray { "$" + SourceScan.Batches, new BsonArray() })),
            "$" + SourceScan.BatchCount,
        }));

    public static UpdateDefinition<SourceScanDocument> ClaimResolution => Builders<SourceScanDocument>.Update.Set(d => d.Resolved, true);

    // ---------------------------------------------------------------- posture

    public static FilterDefinition<PostureDailyDocument> Daily(string tenantId) => P.Eq(d => d.TenantId, tenantId);

    public static FilterDefinition<PostureDailyDocument> DailyOfAccount(string tenantId, Guid accountId) =>
        Daily(tenantId) & P.Eq(d => d.AccountId, accountId);

    public static UpdateOneModel<PostureDailyDocument> DailyIncrement(
        string tenantId, Guid accountId, string day, int severityId, long opened, long resolved, long net)
    {
        var filter = Daily(tenantId) & P.Eq(d => d.AccountId, accountId) & P.Eq(d => d.Day, day) & P.Eq(d => d.SeverityId, severityId);
        var update = Builders<PostureDailyDocument>.Update.Inc(d => d.Opened, opened).Inc(d => d.Resolved, resolved).Inc(d => d.Net, net);
        return new UpdateOneModel<PostureDailyDocument>(filter, update) { IsUpsert = true };
    }

    /// <summary>
    /// The summary cube: counts per (provider, account, severity, effective status). The effective status is the
    /// analyst state in force (not expired) unless the finding is resolved, else the life-cycle status.
    /// </summary>
    public static PipelineDefinition<FindingDocument, BsonDocument> Summary(string tenantId, DateTimeOffset now)
    {
        var effectiveStatus = new BsonDocument("$cond", new BsonDocument
        {
            ["if"] = new BsonDocument("$and", new BsonArray
            {
                new BsonDocument("$ne", new BsonArray { "$" + Finding.Status, nameof(FindingStatus.Resolved) }),
                new BsonDocument("$ne", new BsonArray { new BsonDocument("$ifNull", new BsonArray { "$" + Finding.WorkflowState, BsonNull.Value }), BsonNull.Value }),
                new BsonDocument("$or", new BsonArray
                {
                    new BsonDocument("$eq", new BsonArray { new BsonDocument("$ifNull", new BsonArray { "$" + Finding.WorkflowExpiresAt, BsonNull.Value }), BsonNull.Value }),
                    new BsonDocument("$gt", new BsonArray { "$" + Finding.WorkflowExpiresAt, ToBson(now) }),
                }),
            }),
            ["then"] = "$" + Finding.WorkflowState,
            ["else"] = "$" + Finding.Status,
        });
        var group = new BsonDocument
        {
            ["_id"] = new BsonDocument
            {
                ["provider"] = "$" + Finding.Provider,
                ["account_id"] = "$" + Finding.AccountId,
                ["severity_id"] = "$" + Finding.SeverityId,
                ["status"] = effectiveStatus,
            },
            ["count"] = new BsonDocument("$sum", 1),
        };
        return new EmptyPipelineDefinition<FindingDocument>()
            .Match(Tenant(tenantId))
            .Group<FindingDocument, FindingDocument, BsonDocument>(group);
    }

    /// <summary>Findings not resolved now, per severity id (what the trend replays backwards from).</summary>
    public static PipelineDefinition<FindingDocument, BsonDocument> OpenBySeverity(string tenantId) =>
        new EmptyPipelineDefinition<FindingDocument>()
            .Match(Tenant(tenantId) & F.Ne(d => d.Status, FindingStatus.Resolved))
            .Group<FindingDocument, FindingDocument, BsonDocument>(new BsonDocument
            {
                ["_id"] = "$" + Finding.SeverityId,
                ["count"] = new BsonDocument("$sum", 1),
            });

    /// <summary>The per-day changes since <paramref name="firstDay"/> (inclusive), summed over accounts.</summary>
    public static PipelineDefinition<PostureDailyDocument, BsonDocument> DailyChanges(string tenantId, string firstDay) =>
        new EmptyPipelineDefinition<PostureDailyDocument>()
            .Match(Daily(tenantId) & P.Gte(d => d.Day, firstDay))
            .Group<PostureDailyDocument, PostureDailyDocument, BsonDocument>(new BsonDocument
            {
                ["_id"] = new BsonDocument { ["day"] = "$" + PostureDaily.Day, ["severity_id"] = "$" + PostureDaily.SeverityId },
                ["opened"] = new BsonDocument("$sum", "$" + PostureDaily.Opened),
                ["resolved"] = new BsonDocument("$sum", "$" + PostureDaily.Resolved),
                ["net"] = new BsonDocument("$sum", "$" + PostureDaily.Net),
            });

    // ---------------------------------------------------------------- indexes

    /// <summary>The indexes the queries need; every one starts with the tenant.</summary>
    public static IReadOnlyList<CreateIndexModel<FindingDocument>> FindingIndexes
    {
        get
        {
            var keys = Builders<FindingDocument>.IndexKeys;
            return
            [
                new(keys.Ascending(Finding.TenantId).Ascending(Finding.Fingerprint), new CreateIndexOptions { Name = "tenant_fingerprint", Unique = true }),
                // List sorts: each index serves an order and its exact reverse.
                new(keys.Ascending(Finding.TenantId).Descending(Finding.SeverityId).Ascending(Finding.Fingerprint), new CreateIndexOptions { Name = "tenant_severity" }),
                new(keys.Ascending(Finding.TenantId).Ascending(Finding.LastSeen).Ascending(Finding.Fingerprint), new CreateIndexOptions { Name = "tenant_last_seen" }),
                new(keys.Ascending(Finding.TenantId).Ascending(Finding.FirstSeen).Ascending(Finding.Fingerprint), new CreateIndexOptions { Name = "tenant_first_seen" }),
                // Resolve-missing and account deletion.
                new(keys.Ascending(Finding.TenantId).Ascending(Finding.AccountId).Ascending(Finding.Source).Ascending(Finding.Status).Ascending(Finding.LastSeen),
                    new CreateIndexOptions { Name = "tenant_account_source_status_last_seen" }),
                // Exact-id filters on arrays (multikey).
                new(keys.Ascending(Finding.TenantId).Ascending(Finding.ComplianceRequirement), new CreateIndexOptions { Name = "tenant_compliance" }),
                new(keys.Ascending(Finding.TenantId).Ascending(Finding.VulnerabilityId), new CreateIndexOptions { Name = "tenant_cve" }),
                new(keys.Ascending(Finding.TenantId).Ascending(Finding.WorkflowState), new CreateIndexOptions { Name = "tenant_workflow" }),
                // The resourceId filter and the findings of an asset.
                new(keys.Ascending(Finding.TenantId).Ascending(Finding.ResourceId), new CreateIndexOptions { Name = "tenant_resource" }),
                // The expiry sweep, across tenants: holds only the findings with a risk acceptance.
                new(keys.Ascending(Finding.WorkflowExpiresAt), new CreateIndexOptions<FindingDocument>
                {
                    Name = RiskAcceptanceExpiryIndex,
                    PartialFilterExpression = F.Eq(d => d.Workflow!.State, WorkflowState.RiskAccepted),
                }),
            ];
        }
    }

    public static IReadOnlyList<CreateIndexModel<SourceScanDocument>> SourceScanIndexes
    {
        get
        {
            var keys = Builders<SourceScanDocument>.IndexKeys;
            return
            [
                new(keys.Ascending(SourceScan.TenantId).Ascending(SourceScan.ScanId).Ascending(SourceScan.Source),
                    new CreateIndexOptions { Name = "tenant_scan_source", Unique = true }),
                new(keys.Ascending(SourceScan.TenantId).Ascending(SourceScan.AccountId), new CreateIndexOptions { Name = "tenant_account" }),
            ];
        }
    }

    public static IReadOnlyList<CreateIndexModel<PostureDailyDocument>> PostureDailyIndexes
    {
        get
        {
            var keys = Builders<PostureDailyDocument>.IndexKeys;
            return
            [
                new(keys.Ascending(PostureDaily.TenantId).Ascending(PostureDaily.AccountId).Ascending(PostureDaily.Day).Ascending(PostureDaily.SeverityId),
                    new CreateIndexOptions { Name = "tenant_account_day_severity", Unique = true }),
                new(keys.Ascending(PostureDaily.TenantId).Ascending(PostureDaily.Day), new CreateIndexOptions { Name = "tenant_day" }),
            ];
        }
    }
}
