using System.Text.Json;

namespace OffloadSecurity.Scanners.Aws.SecurityHub;

/// <summary>One GetFindings page: raw ASFF findings (cloned, safe to keep) and the token of the next page, if any.</summary>
public sealed record SecurityHubPage(IReadOnlyList<JsonElement> Findings, string? NextToken);
