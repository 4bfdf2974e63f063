using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Core;
using OffloadSecurity.Scanners.Core.Publishing;
using OffloadSecurity.Scanners.Core.Scanning.Runs;

namespace OffloadSecurity.Scanners.Aws.Scanning;

/// <summary>
/// One source's part of a scan. Its work items are the scan's regions, read side by side (bounded), each with a
/// time limit, a second attempt after a transient fault, and a checkpoint: after publishing what it has, the run
/// saves per region the next page to read, so a scan resumed after a crash continues there. It notes why the source
/// is partial (a region AWS refused or failed, findings that could not be read) and at the end publishes its
/// SourceScanCompleted, complete only when nothing went wrong, so the inventory resolves nothing on a partial read.
/// A source that reads incrementally gets <see cref="Since"/> and a cursor kept between scans.
/// </summary>
public sealed partial class SourceRun
{
    /// <summary>Clocks of AWS and the scanner differ a little: an incremental read starts this much earlier.</summary>
    public static readonly TimeSpan IncrementalOverlap = TimeSpan.FromMinutes(5);

    private readonly AwsScanScope _scope;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly FindingBatcher _batcher;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, RegionCheckpoint> _regions = new(StringComparer.Ordinal);
    private readonly List<string> _problems = [];
    private readonly Dictionary<string, List<string>> _regionProblems = new(StringComparer.Ordinal);
    private DateTimeOffset _startedAt;
    private DateTimeOffset _lastCheckpoint;
    private int _sinceCheckpoint;
    private int _unreadable;
    private bool _started;
    private SourceSummary? _completed;

    public SourceRun(AwsScanScope scope, string source, TimeProvider clock, ILogger logger)
    {
        _scope = scope;
        _clock = clock;
        _logger = logger;
        Source = source;
        _batcher = new FindingBatcher(scope.Publish, scope.Job, source, clock);
        _startedAt = clock.GetUtcNow();
        _lastCheckpoint = _startedAt;
    }

    public string Source { get; }

    /// <summary>For an incremental source: read only what changed since then (null: read everything).</summary>
    public DateTimeOffset? Since { get; private set; }

    /// <summary>Why the source is partial so far; empty while it is complete.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>
    /// Loads the source's checkpoint when the scan is resumed; otherwise decides how to read. An incremental source
    /// reads what changed since its last complete read on a scheduled scan, and everything on the first scan, on a
    /// user's request, or when the last full pass is older than <see cref="ScanningOptions.FullPassInterval"/>.
    /// </summary>
    public async Task StartAsync(bool incremental, CancellationToken ct)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        if (_scope.Runs is not { } runs)
        {
            return;
        }

        if (await runs.GetCheckpointAsync(_scope.Job.ScanId, Source, ct) is { } checkpoint)
        {
            _startedAt = checkpoint.StartedAt;
            Since = checkpoint.Since;
            _completed = checkpoint.Completed;
            _unreadable = checkpoint.Unreadable;
            _batcher.ResumeFrom(checkpoint.Batches, checkpoint.Findings);
            foreach (var (region, state) in checkpoint.Regions)
            {
                _regions[region] = state;
                _problems.AddRange(state.Problems);
                _regionProblems[region] = [.. state.Problems];
            }

            LogResumed(_logger, _scope.Job.ScanId, Source, checkpoint.Findings, checkpoint.Regions.Count(r => r.Value.Done));
            return;
        }

        if (incremental && _scope.Job.Trigger == ScanTrigger.Scheduled)
        {
            Since = await IncrementalSinceAsync(runs, ct);
        }

        await runs.SaveCheckpointAsync(Checkpoint(), ct);
    }

    public async Task AddAsync(NormalizedFinding finding, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await _batcher.AddAsync(finding, ct);
            _sinceCheckpoint++;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Every finding of the page before <paramref name="nextToken"/> has been added: the region continues there.
    /// Now and then this publishes what is pending and saves the checkpoint.
    /// </summary>
    public async Task PageDoneAsync(string region, string? nextToken, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            _regions[region] = new RegionCheckpoint { NextToken = nextToken };
            var settings = _scope.Settings;
            if (_sinceCheckpoint >= settings.CheckpointEveryFindings || _clock.GetUtcNow() - _lastCheckpoint >= settings.CheckpointInterval)
            {
                await CheckpointLockedAsync(ct);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A record the provider sent that cannot be normalized: skipped, and the source reported partial.</summary>
    public void Unreadable(string region, string reason)
    {
        Interlocked.Increment(ref _unreadable);
        LogUnreadable(_logger, _scope.Job.ScanId, Source, region, reason);
    }

    /// <summary>Part of a region could not be read (e.g. scans still running): the source is partial with the reason.</summary>
    public void Incomplete(string region, string reason) => Partial(region, reason, "Incomplete");

    /// <summary>
    /// Reads every region of the scan not done yet (side by side, at most <see cref="ScanningOptions.MaxConcurrentRegions"/>),
    /// each from its checkpoint: <paramref name="read"/> gets the region, the page token to start at (null: the
    /// beginning) and the work item's cancellation, and calls <see cref="PageDoneAsync"/> after each page.
    /// AWS refusing or failing a region (access denied, retries exhausted, unreachable, timed out) makes the source
    /// partial with the reason and the others go on; rejected credentials fail the whole scan.
    /// </summary>
    public async Task ReadRegionsAsync(Func<string, string?, CancellationToken, Task> read, CancellationToken ct)
    {
        await StartAsync(incremental: false, ct);
        var pending = _completed is not null ? [] : _scope.Regions.Where(r => !_regions.TryGetValue(r, out var state) || !state.Done).ToList();
        await Parallel.ForEachAsync(
            pending,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _scope.Settings.MaxConcurrentRegions), CancellationToken = ct },
            async (region, regionCt) => await ReadWorkItemAsync(region, read, regionCt));
    }

    /// <summary>Reads one region from its start (no page checkpoints); see <see cref="ReadRegionsAsync"/>.</summary>
    public Task ReadRegionAsync(string region, Func<Task> read, CancellationToken ct) =>
        ReadWorkItemAsync(region, (_, _, _) => read(), ct);

    /// <summary>Publishes the last batch and the source's SourceScanCompleted; returns its summary for ScanCompleted.</summary>
    public async Task<SourceSummary> CompleteAsync(CancellationToken ct)
    {
        if (_completed is not null)
        {
            return _completed;
        }

        var unreadable = Volatile.Read(ref _unreadable);
        List<string> problems = unreadable == 0 ? [.. _problems] : [.. _problems, $"{unreadable} findings could not be read"];
        await _batcher.FlushAsync(ct);
        var incremental = Since is not null;
        var complete = problems.Count == 0 && !incremental;
        var reason = problems.Count == 0 ? null : string.Join("; ", problems);
        await _scope.Publish.Publish(new SourceScanCompleted
        {
            TenantId = _scope.Job.TenantId,
            AccountId = _scope.Job.AccountId,
            ScanId = _scope.Job.ScanId,
            Source = Source,
            Complete = complete,
            Incremental = incremental,
            Reason = reason,
            FindingCount = _batcher.Published,
            BatchCount = _batcher.Batches,
            ScanStartedAt = _startedAt,
            CompletedAt = _clock.GetUtcNow(),
        }, ct);
        // Published: from here on, record it even if the scan is being stopped, so a resume does not publish it again
        // (the inventory would ignore a repeat, but the window stays as small as it can be).
        await SaveCursorAsync(problems.Count == 0, CancellationToken.None);
        _completed = new SourceSummary
        {
            Source = Source,
            Complete = complete,
            Incremental = incremental,
            Findings = _batcher.Published,
            Reason = reason,
        };
        if (_scope.Runs is { } runs)
        {
            await runs.SaveCheckpointAsync(Checkpoint() with { Completed = _completed }, CancellationToken.None);
        }

        return _completed;
    }

    private async Task ReadWorkItemAsync(string region, Func<string, string?, CancellationToken, Task> read, CancellationToken ct)
    {
        var settings = _scope.Settings;
        for (var attempt = 1; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(settings.WorkItemTimeout);
            var start = _regions.TryGetValue(region, out var saved) ? saved.NextToken : null;
            try
            {
                await read(region, start, timeout.Token);
            }
            catch (AwsServiceException ex) when (ex.IsAuthenticationFailure)
            {
                throw new ScanFailedException($"AWS rejected the account's credentials in {region} ({ex.Message}).", ex);
            }
            catch (Exception ex) when (IsTransient(ex, ct) && attempt < settings.WorkItemAttempts)
            {
                LogWorkItemRetry(_logger, _scope.Job.ScanId, Source, region, attempt, ex.GetType().Name);
                continue;
            }
            catch (AwsServiceException ex)
            {
                Partial(region, ex.Message, ex.ErrorCode);
            }
            catch (HttpRequestException ex)
            {
                Partial(region, "the service could not be reached (" + ex.Message + ")", ex.GetType().Name);
            }
            catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
            {
                if (timeout.IsCancellationRequested)
                {
                    Partial(region, $"the region was not read within {settings.WorkItemTimeout}", "WorkItemTimeout");
                }
                else
                {
                    Partial(region, "the service did not answer in time", ex.GetType().Name);
                }
            }

            await RegionDoneAsync(region, ct);
            return;
        }
    }

    private static bool IsTransient(Exception ex, CancellationToken ct) => ex switch
    {
        AwsServiceException aws => aws.IsThrottling || (int)aws.StatusCode >= 500,
        HttpRequestException => true,
        OperationCanceledException => !ct.IsCancellationRequested,
        _ => false,
    };

    private async Task RegionDoneAsync(string region, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            List<string> problems;
            lock (_problems)
            {
                problems = _regionProblems.TryGetValue(region, out var found) ? [.. found] : [];
            }

            _regions[region] = new RegionCheckpoint { Done = true, Problems = problems };
            await CheckpointLockedAsync(ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Publishes what is pending, then saves where each region stands (the gate is held).</summary>
    private async Task CheckpointLockedAsync(CancellationToken ct)
    {
        await _batcher.FlushAsync(ct);
        _sinceCheckpoint = 0;
        _lastCheckpoint = _clock.GetUtcNow();
        if (_scope.Runs is { } runs)
        {
            await runs.SaveCheckpointAsync(Checkpoint(), ct);
        }
    }

    private SourceCheckpoint Checkpoint() => new()
    {
        ScanId = _scope.Job.ScanId,
        Source = Source,
        StartedAt = _startedAt,
        Since = Since,
        Batches = _batcher.Batches,
        Findings = _batcher.Published,
        Unreadable = Volatile.Read(ref _unreadable),
        Regions = new Dictionary<string, RegionCheckpoint>(_regions, StringComparer.Ordinal),
    };

    /// <summary>Since when a scheduled read may ask for changes only: null when a full read is due.</summary>
    private async Task<DateTimeOffset?> IncrementalSinceAsync(IScanStateStore runs, CancellationToken ct)
    {
        var cursor = await runs.GetCursorAsync(_scope.Job.TenantId, _scope.Job.AccountId, Source, ct);
        if (cursor?.LastFullPassAt is not { } fullPass || _clock.GetUtcNow() - fullPass >= _scope.Settings.FullPassInterval)
        {
            return null;
        }

        var since = DateTimeOffset.MaxValue;
        foreach (var region in _scope.Regions)
        {
            if (!cursor.RegionsReadSince.TryGetValue(region, out var read))
            {
                return null;
            }

            since = read < since ? read : since;
        }

        return since == DateTimeOffset.MaxValue ? null : since - IncrementalOverlap;
    }

    /// <summary>
    /// Remembers, per region read without a problem, that everything up to this read's start has been seen; a
    /// complete full read also counts as the last full pass.
    /// </summary>
    private async Task SaveCursorAsync(bool withoutProblems, CancellationToken ct)
    {
        if (_scope.Runs is not { } runs)
        {
            return;
        }

        var cursor = await runs.GetCursorAsync(_scope.Job.TenantId, _scope.Job.AccountId, Source, ct)
            ?? new SourceCursor { TenantId = _scope.Job.TenantId, AccountId = _scope.Job.AccountId, Source = Source };
        var regions = new Dictionary<string, DateTimeOffset>(cursor.RegionsReadSince, StringComparer.Ordinal);
        foreach (var (region, state) in _regions.Where(r => r.Value.Done && r.Value.Problems.Count == 0))
        {
            regions[region] = _startedAt;
        }

        await runs.SaveCursorAsync(cursor with
        {
            RegionsReadSince = regions,
            LastFullPassAt = withoutProblems && Since is null ? _startedAt : cursor.LastFullPassAt,
        }, ct);
    }

    private void Partial(string region, string reason, string code)
    {
        var problem = $"{region}: {reason}";
        lock (_problems)
        {
            _problems.Add(problem);
            if (!_regionProblems.TryGetValue(region, out var list))
            {
                _regionProblems[region] = list = [];
            }

            list.Add(problem);
        }

        LogRegionPartial(_logger, _scope.Job.ScanId, Source, region, code);
    }

    [LoggerMessage(LogLevel.Warning, "Scan {ScanId}: a {Source} finding in {Region} could not be normalized: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, Guid scanId, string source, string region, string reason);

    [LoggerMessage(LogLevel.Warning, "Scan {ScanId}: {Source} in {Region} is partial ({ErrorCode})")]
    private static partial void LogRegionPartial(ILogger logger, Guid scanId, string source, string region, string errorCode);

    [LoggerMessage(LogLevel.Information, "Scan {ScanId}: {Source} in {Region} failed on attempt {Attempt} ({Reason}); trying again from its checkpoint")]
    private static partial void LogWorkItemRetry(ILogger logger, Guid scanId, string source, string region, int attempt, string reason);

    [LoggerMessage(LogLevel.Information, "Scan {ScanId}: {Source} resumed from its checkpoint ({Findings} findings published, {Done} regions done)")]
    private static partial void LogResumed(ILogger logger, Guid scanId, string source, int findings, int done);
}
