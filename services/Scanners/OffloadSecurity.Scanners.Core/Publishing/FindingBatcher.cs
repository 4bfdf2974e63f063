using MassTransit;
using OffloadSecurity.Contracts.Findings;

namespace OffloadSecurity.Scanners.Core.Publishing;

/// <summary>
/// Collects one source's findings and publishes them as <see cref="FindingsObserved"/> batches of at most
/// <see cref="MaxItems"/> findings and about <see cref="MaxBytes"/> of JSON, so memory stays bounded whatever
/// the account size.
/// </summary>
public sealed class FindingBatcher(IPublishEndpoint publish, ScanJob job, string source, TimeProvider clock)
{
    public const int MaxItems = 500;
    public const int MaxBytes = 1024 * 1024;

    // Room for the envelope and the normalized fields around each finding's raw JSON.
    private const int OverheadPerFinding = 1024;
    private const int EnvelopeOverhead = 4096;

    private readonly List<NormalizedFinding> _pending = [];
    private int _pendingBytes = EnvelopeOverhead;

    public int Published { get; private set; }
    public int Batches { get; private set; }

    /// <summary>Continues a source resumed from its checkpoint: batch numbers and counts go on where they stopped.</summary>
    public void ResumeFrom(int batches, int published)
    {
        Batches = batches;
        Published = published;
    }

    public async Task AddAsync(NormalizedFinding finding, CancellationToken ct)
    {
        var size = finding.RawJson.Length + OverheadPerFinding;
        if (_pending.Count > 0 && (_pending.Count == MaxItems || _pendingBytes + size > MaxBytes))
        {
            await FlushAsync(ct);
        }

        _pending.Add(finding);
        _pendingBytes += size;
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        await publish.Publish(new FindingsObserved
        {
            TenantId = job.TenantId,
            AccountId = job.AccountId,
            ScanId = job.ScanId,
            Source = source,
            BatchIndex = Batches,
            ObservedAt = clock.GetUtcNow(),
            Findings = [.. _pending],
        }, ct);
        Batches++;
        Published += _pending.Count;
        _pending.Clear();
        _pendingBytes = EnvelopeOverhead;
    }
}
