using MassTransit;
using OffloadSecurity.Scanners.Aws.Signing;
using OffloadSecurity.Scanners.Core;

namespace OffloadSecurity.Scanners.Aws.Scanning;

/// <summary>What every source of one AWS scan shares: the job, its short-lived credentials, its regions, where to publish.</summary>
public sealed record AwsScanScope(ScanJob Job, AwsCredentials Credentials, IReadOnlyList<string> Regions, IPublishEndpoint Publish);
