using OffloadSecurity.Contracts.Accounts;
using OffloadSecurity.Contracts.Credentials;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Contracts.Inventory;
using OffloadSecurity.Contracts.Scanning;

namespace OffloadSecurity.Contracts.Tests;

/// <summary>One fully populated sample of every contract record.</summary>
public static class MessageSamples
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 8, 30, 0, TimeSpan.Zero);
    private static readonly Guid Account = Guid.Parse("0195a3c4-0000-7000-8000-000000000001");
    private static readonly Guid Scan = Guid.Parse("0195a3c4-0000-7000-8000-000000000002");

    public static readonly NormalizedFinding Finding = new()
    {
        Fingerprint = "ab12",
        Class = FindingClass.Compliance,
        Severity = Severity.High,
        SeverityId = 4,
        State = ObservedState.Open,
        Title = "S3 bucket is public",
        Description = "d",
        Remediation = "Block public access",
        RemediationUrl = "https://docs.aws.amazon.com/",
        Provider = CloudProvider.Aws,
        CloudAccountId = "123456789012",
        Region = "eu-west-1",
        Source = "aws.securityhub",
        NativeId = "arn:aws:securityhub:eu-west-1:123456789012:finding/1",
        ProductName = "Security Hub",
        Resource = new ResourceRef { Type = "AwsS3Bucket", Id = "arn:aws:s3:::b", Name = "b", Region = "eu-west-1", Tags = new Dictionary<string, string> { ["env"] = "prod" } },
        FirstObservedAt = At,
        UpdatedAt = At,
        Compliance = [new ComplianceRef { Requirement = "CIS AWS Foundations 2.9", Status = "FAILED" }],
        Vulnerabilities = [new VulnerabilityRef { Id = "CVE-2024-0001", CvssScore = 9.8, Package = "openssl", InstalledVersion = "1.0", FixedVersion = "1.1" }],
        IsSample = true,
        RawJson = """{"Id":"x"}""",
    };

    /// <summary>Every message, followed by the records nested in them.</summary>
    public static IEnumerable<object> All()
    {
        var messages = Messages().ToList();
        return messages
            .Concat([Finding.Resource, Finding.Compliance[0], Finding.Vulnerabilities[0]])
            .Concat(messages.OfType<ScanCompleted>().SelectMany(m => m.Sources))
            .Concat(messages.OfType<FindingsChanged>().SelectMany(m => m.Changes))
            .Concat(messages.OfType<AssetsObserved>().SelectMany(m => m.Assets))
            .Concat(messages.OfType<ImagesObserved>().SelectMany(m => m.Images))
            .Concat(messages.OfType<WorkloadsObserved>().SelectMany(m => m.Workloads));
    }

    private static IEnumerable<object> Messages() =>
    [
        new AccountConnected { TenantId = "t1", AccountId = Account, Provider = CloudProvider.Aws, DisplayName = "prod", Regions = ["eu-west-1"], ConnectedAt = At },
        new AccountUpdated { TenantId = "t1", AccountId = Account, DisplayName = "prod 2", Regions = ["us-east-1"], UpdatedAt = At },
        new AccountDisconnected { TenantId = "t1", AccountId = Account, DisconnectedAt = At },
        new AccountDeleted { TenantId = "t1", AccountId = Account, DeletedAt = At },
        new ScanRequested { TenantId = "t1", AccountId = Account, ScanId = Scan, Provider = CloudProvider.Azure, Trigger = ScanTrigger.Manual, Regions = ["westeurope"], RequestedAt = At },
        new ScanStarted { TenantId = "t1", AccountId = Account, ScanId = Scan, StartedAt = At },
        new ScanCompleted { TenantId = "t1", AccountId = Account, ScanId = Scan, Sources = [new SourceSummary { Source = "aws.guardduty", Complete = false, Findings = 3, Reason = "not enabled", Incremental = true }], CompletedAt = At },
        new ScanFailed { TenantId = "t1", AccountId = Account, ScanId = Scan, Reason = "denied", FailedAt = At },
        new SourceScanCompleted { TenantId = "t1", AccountId = Account, ScanId = Scan, Source = "aws.securityhub", Complete = false, FindingCount = 7, BatchCount = 1, ScanStartedAt = At, CompletedAt = At, Reason = "eu-west-1: denied", Incremental = true },
        new CancelScan { TenantId = "t1", AccountId = Account, RequestedBy = "admin@t1", RequestedAt = At },
        new ScanCancelled { TenantId = "t1", AccountId = Account, ScanId = Scan, CancelledAt = At },
        new FindingsObserved { TenantId = "t1", AccountId = Account, ScanId = Scan, Source = "aws.securityhub", BatchIndex = 2, ObservedAt = At, Findings = [Finding] },
        new FindingsChanged { TenantId = "t1", AccountId = Account, ChangedAt = At, Changes = [new FindingChange { Fingerprint = "ab12", Kind = FindingChangeKind.Reopened, OcsfJson = "{}" }] },
        new AssetsObserved
        {
            TenantId = "t1", AccountId = Account, ScanId = Scan, Source = "aws.ec2", ObservedAt = At,
            Assets = [new ObservedAsset { Fingerprint = "f", Provider = CloudProvider.Aws, Type = "AwsEc2Instance", Id = "i-1", Name = "web", Region = "eu-west-1", Tags = new Dictionary<string, string> { ["a"] = "b" }, RawJson = "{}" }],
        },
        new ImagesObserved
        {
            TenantId = "t1", AccountId = Account, ScanId = Scan, Source = "aws.ecr", ObservedAt = At,
            Images = [new ObservedImage { Fingerprint = "f", Registry = "123.dkr.ecr", Repository = "api", Digest = "sha256:1", Tags = ["v1"], PushedAt = At }],
        },
        new WorkloadsObserved
        {
            TenantId = "t1", AccountId = Account, ScanId = Scan, Source = "k8s.workloads", ObservedAt = At,
            Workloads = [new ObservedWorkload { Fingerprint = "f", Cluster = "c", Namespace = "default", Kind = "Deployment", Name = "api", Images = ["nginx:1"] }],
        },
        new IssueScanCredentials { TenantId = "t1", AccountId = Account },
        new AwsScanCredentials { AccessKeyId = "AKIAEXAMPLE000000000", SecretAccessKey = "s", SessionToken = "t", ExpiresAt = At, DefaultRegion = "eu-west-1" },
        Finding,
    ];
}
