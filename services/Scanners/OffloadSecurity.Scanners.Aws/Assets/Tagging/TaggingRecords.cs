namespace OffloadSecurity.Scanners.Aws.Assets.Tagging;

/// <summary>A tagged (or once tagged) resource and its tags, as GetResources' <c>ResourceTagMapping</c>.</summary>
public sealed record ResourceTags(string ResourceArn, IReadOnlyDictionary<string, string> Tags);

/// <summary>One GetResources page and the token of the next (null on the last: AWS sends an empty string there).</summary>
public sealed record TaggingPage(IReadOnlyList<ResourceTags> Resources, string? PaginationToken);
