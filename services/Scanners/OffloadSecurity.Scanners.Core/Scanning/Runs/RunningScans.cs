using System.Collections.Concurrent;

namespace OffloadSecurity.Scanners.Core.Scanning.Runs;

/// <summary>This scanner's scans in progress, so a cancel request (from the bus or a heartbeat) reaches the right one.</summary>
public sealed class RunningScans
{
    private readonly ConcurrentDictionary<Guid, RunningScan> _scans = new();

    public RunningScan Register(Guid scanId, CancellationToken stopping)
    {
        var scan = new RunningScan(stopping);
        _scans[scanId] = scan;
        return scan;
    }

    public void Remove(Guid scanId) => _scans.TryRemove(scanId, out _);

    public bool IsRunning(Guid scanId) => _scans.ContainsKey(scanId);

    /// <summary>Stops the scan if it runs here; false otherwise.</summary>
    public bool CancelByUser(Guid scanId)
    {
        if (!_scans.TryGetValue(scanId, out var scan))
        {
            return false;
        }

        scan.CancelByUser();
        return true;
    }
}

/// <summary>The cancellation of one scan: by the host stopping, by its time limit, or by a user.</summary>
public sealed class RunningScan(CancellationToken stopping) : IDisposable
{
    private readonly CancellationTokenSource _source = CancellationTokenSource.CreateLinkedTokenSource(stopping);

    public CancellationToken Token => _source.Token;

    public bool CancelledByUser { get; private set; }

    public void CancelAfter(TimeSpan delay) => _source.CancelAfter(delay);

    public void CancelByUser()
    {
        CancelledByUser = true;
        try
        {
            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The scan ended meanwhile.
        }
    }

    public void Dispose() => _source.Dispose();
}

/// <summary>This scanner process, as the owner of the runs it holds.</summary>
public sealed class ScannerInstance
{
    public string Id { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}"[..^24];
}
