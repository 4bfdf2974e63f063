using System.CommandLine;
using OffloadSecurity.ServiceDefaults.Auth;

namespace OffloadSecurity.Cli.Commands.Tokens;

/// <summary><c>offload token</c>: a token signed with the local data folder's key, for curl, scripts and other machines.</summary>
public static class TokenCommand
{
    public static Command Create(CliSession session)
    {
        var tenant = new Option<string>("--tenant") { Description = "Tenant the token acts for.", DefaultValueFactory = _ => CliSession.DefaultTenant };
        var roles = new Option<string[]>("--role")
        {
            Description = "Role (repeat for more): tenant-admin, analyst or auditor.",
            DefaultValueFactory = _ => [Roles.TenantAdmin],
            AllowMultipleArgumentsPerToken = true,
        };
        roles.AcceptOnlyFromAmong(Roles.TenantAdmin, Roles.Analyst, Roles.Auditor);
        var hours = new Option<int>("--hours") { Description = "Lifetime in hours (1 to 720).", DefaultValueFactory = _ => 8 };
        hours.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 720)
            {
                result.AddError("--hours must be between 1 and 720.");
            }
        });
        var command = new Command("token", "Print a token signed with the data folder's key (the standalone platform's issuer), for curl, scripts, other machines or `offload login --token -`.") { tenant, roles, hours };
        command.SetAction(parse =>
        {
            var issuer = new LocalTokenIssuer(session.DataFolder(parse).AuthOptions());
            var token = issuer.Issue("offload-cli", parse.GetValue(tenant)!, parse.GetValue(roles)!, TimeSpan.FromHours(parse.GetValue(hours)));
            parse.InvocationConfiguration.Output.WriteLine(token);
            return ExitCodes.Ok;
        });
        return command;
    }
}
