using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace OffloadSecurity.CloudSandbox.Aws.Sts;

/// <summary>Temporary credentials the sandbox STS issued, and who they stand for.</summary>
internal sealed record StsSession(
    string AccessKeyId,
    string SecretAccessKey,
    string SessionToken,
    DateTimeOffset Expiration,
    SandboxAwsAccount Account,
    string Arn,
    string UserId,
    bool IsRoleSession);

/// <summary>Every session the sandbox STS handed out, by its temporary access key id. Expired sessions are forgotten a day after they expire.</summary>
internal sealed class StsSessions(TimeProvider time)
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static readonly TimeSpan ExpiredKeptFor = TimeSpan.FromDays(1);
    private readonly ConcurrentDictionary<string, StsSession> _byAccessKey = new(StringComparer.Ordinal);

    /// <summary>Temporary access key ids start with ASIA, as AWS's do.</summary>
    public static bool IsTemporaryAccessKey(string accessKeyId) => accessKeyId.StartsWith("ASIA", StringComparison.Ordinal);

    public StsSession Issue(SandboxAwsAccount account, string arn, string userId, bool isRoleSession, TimeSpan duration)
    {
        var session = new StsSession(
            "ASIA" + RandomNumberGenerator.GetString(Alphabet, 16),
            Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)),
            "FwoGZXIvYXdzE" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(180)),
            TruncateToSeconds(time.GetUtcNow() + duration),
            account, arn, userId, isRoleSession);
        _byAccessKey[session.AccessKeyId] = session;
        return session;
    }

    /// <summary>The session for <paramref name="accessKeyId"/>; <paramref name="expired"/> when it existed but has run out.</summary>
    public StsSession? Find(string accessKeyId, out bool expired)
    {
        expired = false;
        if (!_byAccessKey.TryGetValue(accessKeyId, out var session))
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (session.Expiration <= now)
        {
            // Kept a day after expiry so callers keep hearing "expired" rather than "invalid"; then forgotten.
            if (session.Expiration + ExpiredKeptFor < now)
            {
                _byAccessKey.TryRemove(accessKeyId, out _);
            }

            expired = true;
            return null;
        }

        return session;
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset t) => new(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), t.Offset);
}
