using OffloadSecurity.Contracts.Scanning;

namespace OffloadSecurity.Scanners.Aws.Scanning;

/// <summary>
/// One AWS source of findings (Security Hub, GuardDuty, ...). It reads every region of the scan, publishes its own
/// FindingsObserved batches and its own SourceScanCompleted, and reports itself partial, with the reason, when a
/// region could not be read completely. It throws <see cref="Core.ScanFailedException"/> only when the credentials
/// are rejected.
/// </summary>
public interface IAwsFindingSource
{
    /// <summary>The normalized <c>source</c>, e.g. <c>aws.securityhub</c>.</summary>
    string Source { get; }

    Task<SourceSummary> ScanAsync(AwsScanScope scope, CancellationToken ct);
}
