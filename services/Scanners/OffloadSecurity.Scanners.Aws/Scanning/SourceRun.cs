using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Scanning;
using OffloadSecurity.Scanners.Aws.AwsApi;
using OffloadSecurity.Scanners.Core;
using OffloadSecurity.Scanners.Core.Publishing;

namespace OffloadSecurity.Scanners.Aws.Scanning;

/// <summary>
/// One source's part of a scan: batches its findings as they come, notes why the source is partial (a region AWS
/// refused or failed, findings that could not be read), and at the end publishes its SourceScanCompleted, complete
/// only when nothing went wrong, so the inventory resolves nothing on a partial read.
/// </summary>
public sealed partial class SourceRun
{
    private readonly AwsScanScope _scope;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly FindingBatcher _batcher;
    private readonly DateTimeOffset _startedAt;
    private readonly List<string> _problems = [];
    private int _unreadable;

    public SourceRun(AwsScanScope scope, string source, TimeProvider clock, ILogger logger)
    {
        _scope = scope;
        _clock = clock;
        _logger = logger;
        Source = source;
        _batcher = new FindingBatcher(scope.Publish, scope.Job, source, clock);
        _startedAt = clock.GetUtcNow();
    }

    public string Source { get; }

    /// <summary>Why the source is partial so far; empty while it is complete.</summary>
    public IReadOnlyList<string> Problems => _problems;

    public Task AddAsync(NormalizedFinding finding, CancellationToken ct) => _batcher.AddAsync(finding, ct);

    /// <summary>A record the provider sent that cannot be normalized: skipped, and the source reported partial.</summary>
    public void Unreadable(string region, string reason)
    {
        _unreadable++;
        LogUnreadable(_logger, _scope.Job.ScanId, Source, region, reason);
    }

    /// <summary>Part of a region could not be read (e.g. scans still running): the source is partial with the reason.</summary>
    public void Incomplete(string region, string reason) => Partial(region, reason, "Incomplete");

    /// <summary>
    /// Reads one region. AWS refusing or failing it (access denied, retries exhausted, unreachable, timed out) makes
    /// the source partial with the reason and the scan goes on; rejected credentials fail the whole scan.
    /// </summary>
    public async Task ReadRegionAsync(string region, Func<Task> read, CancellationToken ct)
    {
        try
        {
            await read();
        }
        catch (AwsServiceException ex) when (ex.IsAuthenticationFailure)
        {
            throw new ScanFailedException($"AWS rejected the account's credentials in {region} ({ex.Message}).", ex);
        }
        catch (AwsServiceException ex)
        {
            Partial(region, ex.Message, ex.ErrorCode);
        }
        catch (HttpRequestException ex)
        {
            Partial(region, "the service could not be reached (" + ex.Message + ")", ex.GetType().Name);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            Partial(region, "the service did not answer in time", ex.GetType().Name);
        }
    }

    /// <summary>Publishes the last batch and the source's SourceScanCompleted; returns its summary for ScanCompleted.</summary>
    public async Task<SourceSummary> CompleteAsync(CancellationToken ct)
    {
        var problems = _unreadable == 0 ? _problems : [.. _problems, $"{_unreadable} findings could not be read"];
        await _batcher.FlushAsync(ct);
        var complete = problems.Count == 0;
        await _scope.Publish.Publish(new SourceScanCompleted
        {
            TenantId = _scope.Job.TenantId,
            AccountId = _scope.Job.AccountId,
            ScanId = _scope.Job.ScanId,
            Source = Source,
            Complete = complete,
            FindingCount = _batcher.Published,
            BatchCount = _batcher.Batches,
            ScanStartedAt = _startedAt,
            CompletedAt = _clock.GetUtcNow(),
        }, ct);
        return new SourceSummary
        {
            Source = Source,
            Complete = complete,
            Findings = _batcher.Published,
            Reason = complete ? null : string.Join("; ", problems),
        };
    }

    private void Partial(string region, string reason, string code)
    {
        _problems.Add($"{region}: {reason}");
        LogRegionPartial(_logger, _scope.Job.ScanId, Source, region, code);
    }

    [LoggerMessage(LogLevel.Warning, "Scan {ScanId}: a {Source} finding in {Region} could not be normalized: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, Guid scanId, string source, string region, string reason);

    [LoggerMessage(LogLevel.Warning, "Scan {ScanId}: {Source} in {Region} is partial ({ErrorCode})")]
    private static partial void LogRegionPartial(ILogger logger, Guid scanId, string source, string region, string errorCode);
}
