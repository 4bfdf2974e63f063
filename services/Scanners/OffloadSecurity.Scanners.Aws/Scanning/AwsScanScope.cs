using MassTransit;
using OffloadSecurity.Scanners.Aws.Signing;
using OffloadSecurity.Scanners.Core;
using OffloadSecurity.Scanners.Core.Scanning.Runs;

namespace OffloadSecurity.Scanners.Aws.Scanning;

/// <summary>
/// What every source of one AWS scan shares: the job, its short-lived credentials (renewed as they expire), its
/// regions, where to publish, and where to keep checkpoints (<paramref name="Runs"/>; none: a scan that cannot resume).
/// </summary>
public sealed record AwsScanScope(
    ScanJob Job, IAwsCredentialSource Credentials, IReadOnlyList<string> Regions, IPublishEndpoint Publish,
    IScanStateStore? Runs = null, ScanningOptions? Options = null)
{
    public ScanningOptions Settings => Options ?? Defaults;

    private static readonly ScanningOptions Defaults = new();
}
