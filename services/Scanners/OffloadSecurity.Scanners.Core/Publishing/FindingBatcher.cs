using MassTransit;
using OffloadSecurity.Contracts.Findings;

namespace OffloadSecurity.Scanners.Core.Publishing;

/// <summary>
/// Collects one source's findings and publishes them as <see cref="FindingsObserved"/> batches of at most
/// <see cref="MaxItems"/> findings and about <see cref="MaxBytes"/> of JSON, so memory stays bounded whatever
/// the account size. Batches are numbered from 0, so the inventory knows when it has every batch of a scan.
/// </summary>
public sealed class FindingBatcher(IPublishEndpoint publish, ScanJob job, string source, TimeProvider clock)
{
    public const int MaxItems = 500;
    public const int MaxBytes = 1024 * 1024;

    // Room for the normalized fields around each finding's raw JSON.
    private const int OverheadPerFinding = 1024;

    private readonly ObservedBatcher<NormalizedFinding> _batcher = new(
        MaxItems,
        MaxBytes,
        finding => finding.RawJson.Length + OverheadPerFinding,
        (findings, batchIndex, ct) => publish.Publish(new FindingsObserved
        {
            TenantId = job.TenantId,
            AccountId = job.AccountId,
            ScanId = job.ScanId,
            Source = source,
            BatchIndex = batchIndex,
            ObservedAt = clock.GetUtcNow(),
            Findings = findings,
        }, ct));

    public int Published => _batcher.Published;

    public int Batches => _batcher.Batches;

    /// <summary>Continues a source resumed from its checkpoint: batch numbers and counts go on where they stopped.</summary>
    public void ResumeFrom(int batches, int published) => _batcher.ResumeFrom(batches, published);

    public Task AddAsync(NormalizedFinding finding, CancellationToken ct) => _batcher.AddAsync(finding, ct);

    public Task FlushAsync(CancellationToken ct) => _batcher.FlushAsync(ct);
}
