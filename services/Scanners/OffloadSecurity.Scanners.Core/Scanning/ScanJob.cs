using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Scanning;

namespace OffloadSecurity.Scanners.Core;

/// <summary>One scan of one account, as the scan worker runs it.</summary>
public sealed record ScanJob
{
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
    public required Guid ScanId { get; init; }
    public required CloudProvider Provider { get; init; }
    public required ScanTrigger Trigger { get; init; }
    public IReadOnlyList<string> Regions { get; init; } = [];

    /// <summary>A run another scanner (or this one, before a restart) started: its sources continue from their checkpoints.</summary>
    public bool Resumed { get; init; }
}
