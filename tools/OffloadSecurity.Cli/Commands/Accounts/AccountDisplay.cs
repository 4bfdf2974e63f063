using System.Globalization;
using OffloadSecurity.Cli.Output;
using OffloadSecurity.Contracts;
using OffloadSecurity.Credentials.Accounts;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace OffloadSecurity.Cli.Commands.Accounts;

/// <summary>
/// How <c>accounts list</c> and <c>accounts show</c> present an account: the provider's non-secret settings as the API
/// returns them (the API never returns a secret, and nothing here asks for one) and its rotation warnings, highlighted.
/// </summary>
public static class AccountDisplay
{
    /// <summary>What a warning starts with, so it stands out without colour too (pipes, logs, tests).</summary>
    public const string WarningMark = "!";

    /// <summary>The one-cell summary of what the account connects to (the list's Connection column).</summary>
    public static string Connection(AccountView account) => account switch
    {
        { Aws: { } aws } => aws.AuthType == AwsAuthType.Role ? $"role {aws.RoleArn}" : $"key {aws.AccessKeyId}",
        { Azure: { } azure } => $"subscription {azure.SubscriptionId}",
        { Gcp: { } gcp } => $"project {gcp.ProjectId} as {gcp.ClientEmail}",
        { Kubernetes: { } k8s } => k8s.ContextName is { } context ? $"{k8s.ServerUrl} (context {context})" : k8s.ServerUrl,
        { Registry: { } registry } => registry.Anonymous ? $"{registry.Registry} (anonymous)" : $"{registry.Registry} as {registry.Username}",
        _ => "",
    };

    /// <summary>The list's Warnings cell: how many, highlighted; the texts follow the table.</summary>
    public static IRenderable WarningCount(AccountView account) => Warnings(account) switch
    {
        [] => Text.Empty,
        var warnings => Terminal.Highlight($"{WarningMark} {warnings.Count}"),
    };

    /// <summary>Under the list's table: each account's warnings in full, one line each.</summary>
    public static void WriteWarnings(IAnsiConsole console, IReadOnlyList<AccountView> accounts)
    {
        var flagged = accounts.Where(a => Warnings(a).Count > 0).ToList();
        if (flagged.Count == 0)
        {
            return;
        }

        console.Line();
        console.Line("Warnings:");
        foreach (var account in flagged)
        {
            foreach (var warning in Warnings(account))
            {
                console.HighlightedLine($"  {WarningMark} '{account.DisplayName}' ({account.Id}): {warning}");
            }
        }
    }

    /// <summary>The two-column table of <c>accounts show</c>.</summary>
    public static Table Details(AccountView account, DateTimeOffset now)
    {
        var grid = new Table().HideHeaders().AddColumns("", "");
        grid.Row("ID", account.Id.ToString())
            .Row("Name", account.DisplayName)
            .Row("Provider", account.Provider.ToString())
            .Row("Status", account.Status.ToString())
            .Row("Message", account.StatusMessage ?? "");
        foreach (var warning in Warnings(account))
        {
            grid.AddRow(Terminal.Highlight("Warning"), Terminal.Highlight($"{WarningMark} {warning}"));
        }

        grid.Row("Last synced", account.LastSyncedAt is { } at ? $"{at:u} ({Terminal.Ago(at)})" : "never")
            .Row("Last scan", account.LastScanId?.ToString() ?? "");
        if (account.Provider is CloudProvider.Aws or CloudProvider.Azure or CloudProvider.Gcp)
        {
            grid.Row("Regions", account.Regions.Count > 0 ? string.Join(", ", account.Regions)
                : account.Provider == CloudProvider.Aws ? "(default region)" : "(none given)");
        }

        foreach (var (label, value) in Settings(account, now))
        {
            grid.Row(label, value);
        }

        grid.Row("Connected as", account.ConnectedAs ?? "")
            .Row("Connected", $"{account.CreatedAt:u}")
            .Row("Syncs", $"every {Interval(account.SyncIntervalMinutes)}" +
                (account.NextSyncAt is { } next ? $", next {next:u}" : account.Status == SyncStatus.Disconnected ? ", none while disconnected" : ""));
        return grid;
    }

    /// <summary>The provider block's non-secret settings as label and value, in the order a person checks them.</summary>
    public static IEnumerable<(string Label, string Value)> Settings(AccountView account, DateTimeOffset now)
    {
        if (account.Aws is { } aws)
        {
            yield return ("Authentication", aws.AuthType == AwsAuthType.Role ? "assumed role" : "access keys");
            yield return aws.AuthType == AwsAuthType.Role ? ("Role ARN", aws.RoleArn ?? "") : ("Access key id", aws.AccessKeyId ?? "");
            yield return ("Default region", aws.DefaultRegion);
            yield return ("Credentials", Stored(aws.HasCredentials));
        }

        if (account.Azure is { } azure)
        {
            yield return ("Tenant id", azure.TenantId);
            yield return ("Client id", azure.ClientId);
            yield return ("Subscription id", azure.SubscriptionId);
            yield return ("Secret expires", azure.ClientSecretExpiresAt is { } expires ? $"{expires:u} ({Until(expires, now)})" : "not given");
            yield return ("Credentials", Stored(azure.HasCredentials));
        }

        if (account.Gcp is { } gcp)
        {
            yield return ("Client email", gcp.ClientEmail);
            yield return ("Key id", gcp.PrivateKeyId);
            yield return ("Project", gcp.ProjectId);
            yield return ("Key created", gcp.KeyCreatedAt is { } created
                ? $"{created:u} ({Terminal.Ago(created)})"
                : "not given (its age is counted from when it was connected)");
            yield return ("Credentials", Stored(gcp.HasCredentials));
        }

        if (account.Kubernetes is { } k8s)
        {
            yield return ("Server", k8s.ServerUrl);
            yield return ("Context", k8s.ContextName ?? "(none: server and token)");
            yield return ("Cluster", k8s.ClusterName ?? "");
            yield return ("User", k8s.UserName ?? "");
            yield return ("Namespace", k8s.Namespace ?? "(not set)");
            yield return ("Authentication", k8s.AuthType == KubernetesAuthType.Token ? "bearer token" : "client certificate");
            yield return ("CA", k8s.HasCertificateAuthority ? "the cluster's own certificate" : "the system's trusted CAs");
            yield return ("Credentials", Stored(k8s.HasCredentials));
        }

        if (account.Registry is { } registry)
        {
            yield return ("Registry", registry.Registry);
            yield return ("User", registry.Anonymous ? "anonymous (public images only)" : registry.Username ?? "");
            yield return ("Repositories", registry.Repositories.Count == 0
                ? "(every repository the registry lists)"
                : string.Join(", ", registry.Repositories));
            yield return ("Credentials", registry.Anonymous ? "none (anonymous)" : Stored(registry.HasCredentials));
        }
    }

    private static IReadOnlyList<string> Warnings(AccountView account) => account.Warnings ?? [];

    private static string Stored(bool hasCredentials) => hasCredentials ? "stored (encrypted)" : "removed";

    private static string Until(DateTimeOffset at, DateTimeOffset now)
    {
        var days = (at - now).TotalDays;
        return days switch
        {
            <= -1 => $"expired {Days(Math.Floor(-days))} ago",
            <= 0 => "expired less than a day ago",
            < 1 => "in less than a day",
            _ => $"in {Days(Math.Ceiling(days))}",
        };
    }

    private static string Days(double days) => days == 1 ? "1 day" : $"{days.ToString("0", CultureInfo.InvariantCulture)} days";

    private static string Interval(int minutes) => minutes switch
    {
        _ when minutes % (24 * 60) == 0 => Plural(minutes / (24 * 60), "day"),
        _ when minutes % 60 == 0 => Plural(minutes / 60, "hour"),
        _ => Plural(minutes, "minute"),
    };

    private static string Plural(int count, string unit) => count == 1 ? $"{unit}" : $"{count} {unit}s";
}
