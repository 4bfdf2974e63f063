using System.CommandLine;
using OffloadSecurity.Contracts;
using OffloadSecurity.Contracts.Findings;
using OffloadSecurity.Inventory.Findings;

namespace OffloadSecurity.Cli.Commands.Findings;

/// <summary>
/// The filters of <c>findings list</c> and <c>findings export</c>, as the inventory's query string has them
/// (<see cref="FindingFilter"/>): one option per parameter.
/// </summary>
public sealed class FindingFilterOptions
{
    /// <summary>Query parameter → option, so the inventory's validation errors name the option to change.</summary>
    public static readonly IReadOnlyDictionary<string, string> FieldOptions = new Dictionary<string, string>
    {
        ["severity"] = "--severity",
        ["status"] = "--status",
        ["workflow"] = "--workflow",
        ["provider"] = "--provider",
        ["accountId"] = "--account",
        ["source"] = "--source",
        ["region"] = "--region",
        ["resourceType"] = "--resource-type",
        ["compliance"] = "--compliance",
        ["cve"] = "--cve",
        ["q"] = "--search",
        ["format"] = "--format",
    };

    public Option<Severity?> Severity { get; } = new("--severity") { Description = "Only this severity." };
    public Option<FindingStatus?> Status { get; } = new("--status") { Description = "Only this life-cycle status." };
    public Option<WorkflowState?> Workflow { get; } = new("--workflow") { Description = "Only this analyst state (None: no decision in force)." };
    public Option<CloudProvider?> Provider { get; } = new("--provider") { Description = "Only this provider's findings." };
    public Option<Guid?> Account { get; } = new("--account") { Description = "Only this account's findings (its id).", HelpName = "id" };
    public Option<string?> Source { get; } = new("--source") { Description = "Only this source, e.g. aws.securityhub.", HelpName = "source" };
    public Option<string?> Region { get; } = new("--region") { Description = "Only this region, e.g. us-east-1.", HelpName = "region" };
    public Option<string?> ResourceType { get; } = new("--resource-type") { Description = "Only this resource type, e.g. AwsS3Bucket.", HelpName = "type" };
    public Option<string?> Compliance { get; } = new("--compliance") { Description = "Only findings citing this compliance requirement, e.g. CIS 1.4.", HelpName = "requirement" };
    public Option<string?> Cve { get; } = new("--cve") { Description = "Only findings about this CVE, e.g. CVE-2024-3094.", HelpName = "id" };
    public Option<string?> Search { get; } = new("--search") { Description = "Only findings whose title or resource id contains this text.", HelpName = "text" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Severity, Status, Workflow, Provider, Account, Source, Region, ResourceType, Compliance, Cve, Search })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The given filters as query parameters, each starting with <c>&amp;</c>.</summary>
    public string Query(ParseResult parse) => string.Concat(new (string Name, string? Value)[]
        {
            ("severity", parse.GetValue(Severity)?.ToString()),
            ("status", parse.GetValue(Status)?.ToString()),
            ("workflow", parse.GetValue(Workflow)?.ToString()),
            ("provider", parse.GetValue(Provider)?.ToString()),
            ("accountId", parse.GetValue(Account)?.ToString()),
            ("source", parse.GetValue(Source)),
            ("region", parse.GetValue(Region)),
            ("resourceType", parse.GetValue(ResourceType)),
            ("compliance", parse.GetValue(Compliance)),
            ("cve", parse.GetValue(Cve)),
            ("q", parse.GetValue(Search)),
        }
        .Where(f => f.Value is not null)
        .Select(f => $"&{f.Name}={Uri.EscapeDataString(f.Value!)}"));
}
