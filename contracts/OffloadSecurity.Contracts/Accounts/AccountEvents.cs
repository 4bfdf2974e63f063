namespace OffloadSecurity.Contracts.Accounts;

// Account life-cycle events, published by the credentials service.
// None of them ever carries a secret: scanners fetch short-lived credentials from the broker.

public sealed record AccountConnected
{
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
    public required CloudProvider Provider { get; init; }
    public required string DisplayName { get; init; }
    /// <summary>Regions (or locations) the tenant asked to scan; empty means the provider's default.</summary>
    public IReadOnlyList<string> Regions { get; init; } = [];
    public required DateTimeOffset ConnectedAt { get; init; }
}

public sealed record AccountUpdated
{
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
    public required string DisplayName { get; init; }
    public IReadOnlyList<string> Regions { get; init; } = [];
    public required DateTimeOffset UpdatedAt { get; init; }
}

public sealed record AccountDisconnected
{
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
    public required DateTimeOffset DisconnectedAt { get; init; }
}

public sealed record AccountDeleted
{
    public required string TenantId { get; init; }
    public required Guid AccountId { get; init; }
    public required DateTimeOffset DeletedAt { get; init; }
}
