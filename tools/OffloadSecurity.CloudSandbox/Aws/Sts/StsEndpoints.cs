using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Features;

namespace OffloadSecurity.CloudSandbox.Aws.Sts;

/// <summary>
/// AWS STS (query protocol, <c>POST /</c> with a form body, XML answers): GetCallerIdentity, GetSessionToken and
/// AssumeRole. AssumeRole only opens roles of configured sandbox accounts, and only with the role's external id.
/// The credentials it issues are accepted by every sandbox service while they last (see <see cref="StsAuthentication"/>).
/// </summary>
internal static partial class StsEndpoints
{
    public const string ServiceName = "sts";
    public const int MaxPolicyLength = 2048;

    public static IServiceCollection AddSandboxSts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StsSandboxOptions>().Bind(configuration.GetSection(StsSandboxOptions.SectionName));
        services.AddSingleton<StsSessions>();
        services.AddSingleton<StsRoles>();
        return services;
    }

    public static IEndpointRouteBuilder MapSts(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/", HandleAsync);
        return routes;
    }

    private static async Task<IResult> HandleAsync(HttpContext context, StsSessions sessions, StsRoles roles, CancellationToken ct)
    {
        var caller = context.Features.GetRequiredFeature<AwsCaller>();
        if (caller.Service != ServiceName)
        {
            return new StsError(StatusCodes.Status403Forbidden, "SignatureDoesNotMatch", $"Credential should be scoped to correct service: '{ServiceName}'.");
        }

        if (!context.Request.HasFormContentType)
        {
            return new StsError(StatusCodes.Status400BadRequest, "MissingAction", "Missing Action");
        }

        var form = await context.Request.ReadFormAsync(ct);
        var session = context.Features.Get<StsCaller>()?.Session;
        return form["Action"].ToString() switch
        {
            "GetCallerIdentity" => GetCallerIdentity(caller, session),
            "GetSessionToken" => GetSessionToken(form, caller, session, sessions),
            "AssumeRole" => AssumeRole(form, caller, session, sessions, roles),
            "" => new StsError(StatusCodes.Status400BadRequest, "MissingAction", "Missing Action"),
            var other => new StsError(StatusCodes.Status400BadRequest, "InvalidAction", $"Could not find operation {other} for version 2011-06-15"),
        };
    }

    private static string UserArn(SandboxAwsAccount account) => $"arn:aws:iam::{account.AccountId}:user/sandbox";

    private static string UserId(SandboxAwsAccount account) => "AIDA" + StableId(account.AccountId + "/user/sandbox");

    private static IResult GetCallerIdentity(AwsCaller caller, StsSession? session) => StsXml.Response("GetCallerIdentity",
        StsXml.Element("Arn", session?.Arn ?? UserArn(caller.Account)),
        StsXml.Element("UserId", session?.UserId ?? UserId(caller.Account)),
        StsXml.Element("Account", caller.Account.AccountId));

    private static IResult GetSessionToken(IFormCollection form, AwsCaller caller, StsSession? session, StsSessions sessions)
    {
        if (session is not null)
        {
            return StsError.AccessDenied("Cannot call GetSessionToken with session credentials");
        }

        if (Duration(form, 43_200, 900, 129_600) is not { } duration)
        {
            return StsError.Validation("1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 129600");
        }

        var issued = sessions.Issue(caller.Account, UserArn(caller.Account), UserId(caller.Account), isRoleSession: false,
            Capped(duration, caller.Account));
        return StsXml.Response("GetSessionToken", StsXml.Credentials(issued));
    }

    private static IResult AssumeRole(IFormCollection form, AwsCaller caller, StsSession? session, StsSessions sessions, StsRoles roles)
    {
        var roleArn = form["RoleArn"].ToString();
        var sessionName = form["RoleSessionName"].ToString();
        var externalId = form["ExternalId"].ToString();
        var policy = form["Policy"].ToString();
        var errors = new List<string>();
        if (roleArn.Length is < 20 or > 2048)
        {
            errors.Add("Value at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048");
        }

        if (!SessionName().IsMatch(sessionName))
        {
            errors.Add("Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64");
        }

        if (form.ContainsKey("ExternalId") && !ExternalIdPattern().IsMatch(externalId))
        {
            errors.Add("Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]* and have length between 2 and 1224");
        }

        var duration = Duration(form, 3600, 900, 43_200);
        if (duration is null)
        {
            errors.Add("Value at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200");
        }

        if (errors.Count > 0)
        {
            return StsError.Validation($"{errors.Count} validation error{(errors.Count == 1 ? "" : "s")} detected: {string.Join("; ", errors)}");
        }

        var principal = session?.Arn ?? UserArn(caller.Account);
        var denied = StsError.AccessDenied($"User: {principal} is not authorized to perform: sts:AssumeRole on resource: {roleArn}");
        if (!roles.TryFind(roleArn, out var account, out var role))
        {
            return denied;
        }

        // The trust policy's sts:ExternalId condition: compared in constant time, and the answer never says which part failed.
        if (!string.IsNullOrEmpty(role.ExternalId) &&
            !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(externalId), Encoding.UTF8.GetBytes(role.ExternalId)))
        {
            return denied;
        }

        if (duration!.Value > TimeSpan.FromSeconds(role.MaxSessionDurationSeconds))
        {
            return StsError.Validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }

        if (session is { IsRoleSession: true } && duration.Value > TimeSpan.FromHours(1))
        {
            return StsError.Validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
        }

        var packedPolicySize = 0;
        if (policy.Length > 0)
        {
            if (policy.Length > MaxPolicyLength)
            {
                return new StsError(StatusCodes.Status400BadRequest, "PackedPolicyTooLarge", "Packed size of consumed session policies and session tags exceeds 100%.");
            }

            if (!IsPolicyDocument(policy))
            {
                return new StsError(StatusCodes.Status400BadRequest, "MalformedPolicyDocument", "The policy is not in the valid JSON format.");
            }

            packedPolicySize = Math.Max(1, policy.Length * 100 / MaxPolicyLength);
        }

        var roleName = roleArn[(roleArn.IndexOf(":role/", StringComparison.Ordinal) + ":role/".Length)..].Split('/')[^1];
        var assumedRoleId = "AROA" + StableId(roleArn) + ":" + sessionName;
        var arn = $"arn:aws:sts::{account.AccountId}:assumed-role/{roleName}/{sessionName}";
        var issued = sessions.Issue(account, arn, assumedRoleId, isRoleSession: true, Capped(duration.Value, account));
        return StsXml.Response("AssumeRole",
            StsXml.Credentials(issued),
            StsXml.Element("AssumedRoleUser", StsXml.Element("AssumedRoleId", assumedRoleId), StsXml.Element("Arn", arn)),
            packedPolicySize > 0 ? StsXml.Element("PackedPolicySize", packedPolicySize.ToString(CultureInfo.InvariantCulture)) : null);
    }

    /// <summary>The session length once the account's <see cref="SandboxAwsAccount.MaxSessionSeconds"/> (a sandbox setting, for tests of expiry) applies.</summary>
    private static TimeSpan Capped(TimeSpan duration, SandboxAwsAccount account) =>
        account.MaxSessionSeconds is { } max && duration > TimeSpan.FromSeconds(max) ? TimeSpan.FromSeconds(max) : duration;

    private static TimeSpan? Duration(IFormCollection form, int defaultSeconds, int min, int max)
    {
        var text = form["DurationSeconds"].ToString();
        if (text.Length == 0)
        {
            return TimeSpan.FromSeconds(defaultSeconds);
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds >= min && seconds <= max
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }

    private static bool IsPolicyDocument(string policy)
    {
        try
        {
            using var json = JsonDocument.Parse(policy);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("Statement", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string StableId(string text) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];

    [GeneratedRegex(@"^[\w+=,.@-]{2,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex SessionName();

    [GeneratedRegex(@"^[\w+=,.@:/-]{2,1224}$", RegexOptions.CultureInvariant)]
    private static partial Regex ExternalIdPattern();
}
