using MassTransit;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Scanning;

namespace OffloadSecurity.Scanners.Core;

/// <summary>Reads every source of one provider for a scan and publishes what it finds.</summary>
public interface IProviderScanner
{
    CloudProvider Provider { get; }

    /// <summary>
    /// Runs the scan. A source that cannot be read completely is reported partial with its reason; a scan that
    /// cannot run at all (credentials rejected, account gone) throws <see cref="ScanFailedException"/>.
    /// </summary>
    Task<IReadOnlyList<SourceSummary>> ScanAsync(ScanJob job, IPublishEndpoint publish, CancellationToken ct);
}

/// <summary>The whole scan cannot run. The message is shown to the tenant admin: never put a secret in it.</summary>
public sealed class ScanFailedException(string message, Exception? inner = null) : Exception(message, inner);
