using MassTransit;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Core;
using OffloadSecurity.Scanners.Core.Normalization;
using OffloadSecurity.Scanners.Core.Publishing;

namespace OffloadSecurity.Scanners.Aws.Import;

/// <summary>What an import published.</summary>
public sealed record ImportResult(Guid ImportId, int Findings, IReadOnlyList<ImportedAccount> Accounts);

/// <summary>One AWS account of an import, and our account id its findings were filed under.</summary>
public sealed record ImportedAccount(string? AwsAccountId, Guid AccountId, int Findings);

/// <summary>
/// Publishes normalized imported findings as a scan would: per AWS account in the file, FindingsObserved batches
/// (the scanner's batch limits) and then a complete SourceScanCompleted for the import source.
/// </summary>
/// <remarks>
/// Decisions: a file may mix AWS accounts; it is split per account, each under the account id
/// <see cref="ImportAccount.For"/> derives from (tenant, AWS account id), so re-imports land on the same records.
/// An import is a complete snapshot of its source for each account in it: a re-import of the same source and AWS
/// account replaces the previous one (the inventory resolves findings missing from the new file). Accounts absent
/// from the new file are left as they were.
/// </remarks>
public sealed class FindingImporter(IPublishEndpoint publish, TimeProvider clock)
{
    public async Task<ImportResult> ImportAsync(
        string tenantId, string source, IReadOnlyList<NormalizedFinding> findings, CancellationToken ct)
    {
        var importId = Guid.NewGuid();
        var startedAt = clock.GetUtcNow();
        var accounts = new List<ImportedAccount>();
        foreach (var group in findings.GroupBy(f => f.CloudAccountId ?? "", StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var accountId = ImportAccount.For(tenantId, group.Key);
            var job = new ScanJob
            {
                TenantId = tenantId,
                AccountId = accountId,
                ScanId = importId,
                Provider = CloudProvider.Aws,
                Trigger = ScanTrigger.Manual,
            };
            var batcher = new FindingBatcher(publish, job, source, clock);
            foreach (var finding in group)
            {
                await batcher.AddAsync(
                    finding with { Fingerprint = Fingerprint.ForFinding(tenantId, accountId, source, finding.NativeId) }, ct);
            }

            await batcher.FlushAsync(ct);
            await publish.Publish(new SourceScanCompleted
            {
                TenantId = tenantId,
                AccountId = accountId,
                ScanId = importId,
                Source = source,
                Complete = true,
                FindingCount = batcher.Published,
                BatchCount = batcher.Batches,
                ScanStartedAt = startedAt,
                CompletedAt = clock.GetUtcNow(),
            }, ct);
            accounts.Add(new ImportedAccount(group.Key.Length == 0 ? null : group.Key, accountId, batcher.Published));
        }

        return new ImportResult(importId, findings.Count, accounts);
    }
}
