using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Scanning;

namespace OffloadSecurity.Inventory.Tests.Findings;

/// <summary>Builds findings, batches and completions for inventory tests.</summary>
public static class SampleFindings
{
    public const string Source = "aws.securityhub";

    public static NormalizedFinding Finding(string nativeId, Severity severity = Severity.High, ObservedState state = ObservedState.Open) => new()
    {
        Fingerprint = "fp-" + nativeId,
        Class = FindingClass.Compliance,
        Severity = severity,
        SeverityId = (int)severity,
        State = state,
        Title = "Finding " + nativeId,
        Provider = CloudProvider.Aws,
        CloudAccountId = "123456789012",
        Region = "eu-west-1",
        Source = Source,
        NativeId = nativeId,
        Resource = new ResourceRef { Type = "AwsS3Bucket", Id = "arn:aws:s3:::bucket-" + nativeId },
        RawJson = $$"""{"Id":"{{nativeId}}"}""",
    };

    public static FindingsObserved Batch(string tenant, Guid account, Guid scan, DateTimeOffset at, int index, params NormalizedFinding[] findings) => new()
    {
        TenantId = tenant,
        AccountId = account,
        ScanId = scan,
        Source = Source,
        BatchIndex = index,
        ObservedAt = at,
        Findings = findings,
    };

    public static SourceScanCompleted Completed(string tenant, Guid account, Guid scan, DateTimeOffset startedAt, int batches, bool complete = true) => new()
    {
        TenantId = tenant,
        AccountId = account,
        ScanId = scan,
        Source = Source,
        Complete = complete,
        FindingCount = 0,
        BatchCount = batches,
        ScanStartedAt = startedAt,
        CompletedAt = startedAt.AddMinutes(1),
    };
}
