using System.Text.Json.Serialization;
using OffloadSecurity.Contracts;

namespace OffloadSecurity.Credentials.Accounts;

/// <summary>Sync status as users see it on the account card.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SyncStatus>))]
public enum SyncStatus
{
    Pending,
    Syncing,
    Synced,
    Error,
    Disconnected,

    /// <summary>The last scan was stopped at a user's request; what it had read is kept, nothing was resolved.</summary>
    Cancelled,
}

/// <summary>A connected account. <see cref="Secret"/> is the encrypted envelope and never leaves this service.</summary>
public sealed record Account
{
    public required Guid Id { get; init; }
    public required string TenantId { get; init; }
    public required CloudProvider Provider { get; init; }
    public required string DisplayName { get; init; }
    public IReadOnlyList<string> Regions { get; init; } = [];
    /// <summary>Non-secret connection settings as JSON (auth type, access key id, role ARN, ...).</summary>
    public required string SettingsJson { get; init; }
    public byte[]? Secret { get; init; }
    public SyncStatus Status { get; init; } = SyncStatus.Pending;
    public string? StatusMessage { get; init; }
    public Guid? LastScanId { get; init; }
    public DateTimeOffset? StatusChangedAt { get; init; }
    public DateTimeOffset? LastSyncedAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>How often the schedule re-syncs the account (default every 6 hours).</summary>
    public int SyncIntervalMinutes { get; init; } = DefaultSyncIntervalMinutes;

    /// <summary>When the schedule next asks for a scan; null once disconnected.</summary>
    public DateTimeOffset? NextSyncAt { get; init; }

    /// <summary>The identity the connection test saw (e.g. the caller ARN); not a secret.</summary>
    public string? ConnectedAs { get; init; }

    public const int DefaultSyncIntervalMinutes = 360;
}

/// <summary>What <c>PATCH /api/accounts/{id}</c> may change; null leaves a field as it is.</summary>
public sealed record AccountChanges(string? DisplayName, IReadOnlyList<string>? Regions, int? SyncIntervalMinutes);

/// <summary>A status change driven by a scan event; applied only if it is not older than the current status.</summary>
public sealed record StatusChange(Guid ScanId, SyncStatus Status, string? Message, DateTimeOffset At);
