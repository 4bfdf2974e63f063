namespace OffloadSecurity.Scanners.Aws.GuardDuty;

/// <summary>One page of ids (ListDetectors' detector ids, ListFindings' finding ids) and the token of the next page, if any.</summary>
public sealed record GuardDutyIdPage(IReadOnlyList<string> Ids, string? NextToken);
