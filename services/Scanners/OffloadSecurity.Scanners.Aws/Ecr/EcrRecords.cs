using System.Text.Json;

namespace OffloadSecurity.Scanners.Aws.Ecr;

/// <summary>One page of a paged ECR list and the token of the next page, if any.</summary>
public sealed record EcrPage<T>(IReadOnlyList<T> Items, string? NextToken);

/// <summary>A repository, from DescribeRepositories (service-2.json's <c>Repository</c>).</summary>
/// <param name="Uri">The repository URI, <c>{registry}.dkr.ecr.{region}.amazonaws.com/{name}</c>.</param>
public sealed record EcrRepository(string RegistryId, string Name, string? Arn, string? Uri, DateTimeOffset? CreatedAt)
{
    /// <summary>The registry host of the repository URI, else the one its registry id and region make.</summary>
    public string RegistryHost(string region) =>
        Uri is { } uri && uri.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash
            ? uri[..slash]
            : $"{RegistryId}.dkr.ecr.{region}.amazonaws.com";
}

/// <summary>An image, from DescribeImages (service-2.json's <c>ImageDetail</c>).</summary>
public sealed record EcrImage(
    string RegistryId, string Repository, string Digest, IReadOnlyList<string> Tags, DateTimeOffset? PushedAt, string? ScanStatus);

/// <summary>
/// What one DescribeImageScanFindings page (or a stored response) says about an image's scan: its status, the basic
/// findings (<c>findings</c>) and the enhanced ones (<c>enhancedFindings</c>, Inspector's shape), and the
/// severity counts of the whole scan. Elements are cloned, safe to keep.
/// </summary>
public sealed record EcrScanPage
{
    public string? RegistryId { get; init; }
    public string? Repository { get; init; }
    public string? Digest { get; init; }
    public string? Tag { get; init; }

    /// <summary><c>imageScanStatus.status</c>: COMPLETE (basic), ACTIVE (enhanced), IN_PROGRESS, FAILED, ...</summary>
    public string? Status { get; init; }

    public string? StatusDescription { get; init; }
    public DateTimeOffset? ScanCompletedAt { get; init; }
    public DateTimeOffset? VulnerabilitySourceUpdatedAt { get; init; }

    /// <summary><c>findingSeverityCounts</c>: severity → count over the whole scan (every page).</summary>
    public IReadOnlyDictionary<string, int> SeverityCounts { get; init; } = new Dictionary<string, int>();

    public IReadOnlyList<JsonElement> Findings { get; init; } = [];
    public IReadOnlyList<JsonElement> EnhancedFindings { get; init; } = [];
    public string? NextToken { get; init; }

    /// <summary>The image the page is about, when it names one.</summary>
    public EcrImageRef? Image => RegistryId is not null && Repository is not null && Digest is not null
        ? new EcrImageRef(RegistryId, Repository, Digest, Tag is null ? [] : [Tag])
        : null;
}

/// <summary>An image as findings are attributed to it.</summary>
public sealed record EcrImageRef(string RegistryId, string Repository, string Digest, IReadOnlyList<string> Tags)
{
    /// <summary>The image's id as Inspector and Security Hub give it: <c>arn:aws:ecr:{region}:{registry}:repository/{repo}/{digest}</c>.</summary>
    public string ResourceId(string? region) =>
        region is null ? $"{RegistryId}/{Repository}@{Digest}" : $"arn:aws:ecr:{region}:{RegistryId}:repository/{Repository}/{Digest}";

    /// <summary><c>repo:tag</c> with its first tag, else <c>repo@digest</c>.</summary>
    public string Name => Tags.Count > 0 ? $"{Repository}:{Tags[0]}" : $"{Repository}@{Digest}";
}
