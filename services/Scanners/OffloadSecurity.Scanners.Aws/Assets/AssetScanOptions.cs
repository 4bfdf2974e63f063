namespace OffloadSecurity.Scanners.Aws.Assets;

/// <summary>
/// Configuration section <c>Aws:Assets</c>: the page sizes the asset sources ask for. The defaults are each API's
/// largest page, so a region takes as few calls as it can; tests lower them to read many pages of small accounts.
/// </summary>
public sealed class AssetScanOptions
{
    public const string SectionName = "Aws:Assets";

    /// <summary>DescribeInstances and DescribeSecurityGroups <c>MaxResults</c> (the EC2 API allows 5 to 1000).</summary>
    public int Ec2PageSize { get; set; } = 1000;

    /// <summary>ListBuckets <c>max-buckets</c> (S3 allows 1 to 10000).</summary>
    public int S3PageSize { get; set; } = 1000;

    /// <summary>GetResources <c>ResourcesPerPage</c> (service-2.json: 1 to 100).</summary>
    public int TaggingPageSize { get; set; } = 100;

    /// <summary>The page sizes clamped to what each API accepts.</summary>
    public AssetScanOptions Clamped() => new()
    {
        Ec2PageSize = Math.Clamp(Ec2PageSize, 5, 1000),
        S3PageSize = Math.Clamp(S3PageSize, 1, 10_000),
        TaggingPageSize = Math.Clamp(TaggingPageSize, 1, 100),
    };
}
