using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory.Posture;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>
/// Posture from maintained counts: <c>posture_counts</c> holds, per tenant, how many findings have each (provider,
/// account, severity, status, analyst state), updated in the same transaction as the findings it counts. A summary reads
/// those few rows instead of scanning the tenant's findings, so it costs the same at a thousand findings or millions.
/// </summary>
public sealed partial class SqliteInventoryStore
{
    public async Task<PostureSummary> SummarizeAsync(string tenantId, CancellationToken ct)
    {
        var now = Time(_time.GetUtcNow());
        await using var connection = await database.OpenAsync(ct);
        var cells = new Dictionary<(string Provider, string Account, long Severity, string Status), long>();
        void Add(CountRow row, string status, long count)
        {
            var key = (row.Provider, row.AccountId, row.SeverityId, status);
            cells[key] = cells.GetValueOrDefault(key) + count;
        }

        foreach (var row in await connection.QueryAsync<CountRow>(new CommandDefinition(
            """
            SELECT provider, account_id, severity_id, status, workflow_state, count
              FROM posture_counts WHERE tenant_id = @tenantId AND count <> 0
            """, new { tenantId }, cancellationToken: ct)))
        {
            Add(row, Effective(row.Status, row.WorkflowState), row.Count);
        }

        // The counts know the analyst state, not the clock: a risk acceptance that has lapsed still counts under its
        // state there. The few that have lapsed (a partial index holds only findings with an expiry) move back here.
        foreach (var row in await connection.QueryAsync<CountRow>(new CommandDefinition(
            """
            SELECT provider, account_id, severity_id, status, workflow_state, COUNT(*) AS count
              FROM findings
             WHERE tenant_id = @tenantId AND workflow_expires_at IS NOT NULL AND workflow_expires_at <= @now
               AND workflow_state IS NOT NULL AND status <> 'Resolved'
             GROUP BY provider, account_id, severity_id, status, workflow_state
            """, new { tenantId, now }, cancellationToken: ct)))
        {
            Add(row, row.WorkflowState, -row.Count);
            Add(row, row.Status, row.Count);
        }

        var counts = cells.Where(c => c.Value > 0).Select(c => new PostureCount(
            Enum.Parse<CloudProvider>(c.Key.Provider), Guid.Parse(c.Key.Account), (Severity)c.Key.Severity, c.Key.Status, c.Value)).ToList();
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

    /// <summary>What a finding counts as: Resolved when resolved; else the analyst state (when there is one); else its status.</summary>
    private static string Effective(string status, string workflowState) =>
        status == Resolved || workflowState.Length == 0 ? status : workflowState;

    /// <summary>
    /// Open findings at the end of each day, replayed backwards from today's count with the per-day net changes the
    /// ingest records (created open or reopened +1, resolved −1, severity moved −1/+1): exact, and cheap at any size.
    /// </summary>
    public async Task<PostureTrend> TrendAsync(string tenantId, int days, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        var first = today.AddDays(1 - days);
        await using var connection = await database.OpenAsync(ct);
        var openNow = (await connection.QueryAsync<(long SeverityId, long Count)>(new CommandDefinition(
            "SELECT severity_id, SUM(count) FROM posture_counts WHERE tenant_id = @tenantId AND status <> 'Resolved' GROUP BY severity_id",
            new { tenantId }, cancellationToken: ct))).ToDictionary(r => (int)r.SeverityId, r => r.Count);
        var changes = (await connection.QueryAsync<DailyRow>(new CommandDefinition(
            """
            SELECT day, severity_id, SUM(opened) AS opened, SUM(resolved) AS resolved, SUM(net) AS net
              FROM posture_daily WHERE tenant_id = @tenantId AND day >= @first
             GROUP BY day, severity_id
            """, new { tenantId, first = first.ToString("O", CultureInfo.InvariantCulture) }, cancellationToken: ct))).ToList();

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
                open[(int)change.SeverityId] = open.GetValueOrDefault((int)change.SeverityId) - change.Net;
            }
        }

        result.Reverse();
        return new PostureTrend(result);
    }

    /// <summary>
    /// Changes of <c>posture_counts</c> gathered while a transaction writes findings, saved once before it commits: one
    /// row per cell that changed, not one per finding.
    /// </summary>
    private sealed class PostureCounts
    {
        private readonly Dictionary<(string Tenant, string Provider, string Account, int Severity, string Status, string Workflow), long> _deltas = [];

        /// <param name="workflowState">The stored analyst state (null or empty when none), whether or not it has lapsed.</param>
        public void Add(string tenantId, string provider, string accountId, int severity, string status, string? workflowState, long delta)
        {
            var key = (tenantId, provider, accountId, severity, status, workflowState ?? "");
            _deltas[key] = _deltas.GetValueOrDefault(key) + delta;
        }

        public async Task SaveAsync(SqliteConnection connection, SqliteTransaction tx, CancellationToken ct)
        {
            var changed = _deltas.Where(kv => kv.Value != 0).ToList();
            if (changed.Count == 0)
            {
                return;
            }

            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO posture_counts (tenant_id, provider, account_id, severity_id, status, workflow_state, count)
                VALUES (@Tenant, @Provider, @Account, @Severity, @Status, @Workflow, @Count)
                ON CONFLICT (tenant_id, provider, account_id, severity_id, status, workflow_state) DO UPDATE SET count = count + excluded.count
                """,
                changed.Select(kv => new
                {
                    kv.Key.Tenant,
                    kv.Key.Provider,
                    kv.Key.Account,
                    kv.Key.Severity,
                    kv.Key.Status,
                    kv.Key.Workflow,
                    Count = kv.Value,
                }), tx, cancellationToken: ct));
        }
    }

    private sealed record CountRow
    {
        public string Provider { get; init; } = "";
        public string AccountId { get; init; } = "";
        public long SeverityId { get; init; }
        public string Status { get; init; } = "";
        public string WorkflowState { get; init; } = "";
        public long Count { get; init; }
    }

    private sealed record DailyRow
    {
        public string Day { get; init; } = "";
        public long SeverityId { get; init; }
        public long Opened { get; init; }
        public long Resolved { get; init; }
        public long Net { get; init; }
    }
}
