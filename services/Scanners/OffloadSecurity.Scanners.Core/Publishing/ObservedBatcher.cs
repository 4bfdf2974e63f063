namespace OffloadSecurity.Scanners.Core.Publishing;

/// <summary>
/// Collects what a source observes (assets, images, ...) and hands it on in batches of at most
/// <paramref name="maxItems"/> items and about <paramref name="maxBytes"/> bytes, as it is read, so memory stays bounded
/// whatever the account size. Safe to call from regions read side by side. <paramref name="publish"/> gets each batch
/// with its number (0, 1, ...).
/// </summary>
public sealed class ObservedBatcher<T>(int maxItems, int maxBytes, Func<T, int> size, Func<IReadOnlyList<T>, int, CancellationToken, Task> publish)
{
    /// <summary>Room for the message envelope around a batch.</summary>
    private const int EnvelopeOverhead = 4096;

    private readonly List<T> _pending = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _pendingBytes = EnvelopeOverhead;

    public int Published { get; private set; }

    public int Batches { get; private set; }

    /// <summary>Counts go on from a checkpoint: a resumed source numbers its next batch after the last one published.</summary>
    public void ResumeFrom(int batches, int published)
    {
        Batches = batches;
        Published = published;
    }

    public async Task AddAsync(T item, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var itemSize = size(item);
            if (_pending.Count > 0 && (_pending.Count == maxItems || _pendingBytes + itemSize > maxBytes))
            {
                await FlushLockedAsync(ct);
            }

            _pending.Add(item);
            _pendingBytes += itemSize;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await FlushLockedAsync(ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task FlushLockedAsync(CancellationToken ct)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        await publish([.. _pending], Batches, ct);
        Batches++;
        Published += _pending.Count;
        _pending.Clear();
        _pendingBytes = EnvelopeOverhead;
    }
}
