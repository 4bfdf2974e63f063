using OffloadSecurity.Contracts;

namespace OffloadSecurity.Inventory.Assets;

/// <summary>
/// The query strings of the asset, image, cluster and workload lists, bound as text so that a bad value gets a
/// problem naming its field (not a bare 400 from the binder).
/// </summary>
public sealed record AssetFilter(
    string? Provider = null,
    string? AccountId = null,
    string? Type = null,
    string? Region = null,
    string? ResourceId = null,
    string? Q = null,
    string? Limit = null,
    string? Cursor = null)
{
    public (AssetQuery? Query, Dictionary<string, string[]> Errors) Parse()
    {
        var p = new FilterParser();
        var query = new AssetQuery
        {
            Provider = p.Provider(Provider),
            AccountId = p.Account(AccountId),
            Type = p.Text("type", Type),
            Region = p.Text("region", Region),
            ResourceId = p.Text("resourceId", ResourceId, ObservedBatchRules.MaxIdLength),
            Text = p.Text("q", Q),
            Limit = p.Limit(Limit),
            Cursor = p.Cursor(AssetCursor.Assets, Cursor),
        };
        return p.Result(query);
    }
}

public sealed record ImageFilter(
    string? AccountId = null,
    string? Registry = null,
    string? Repository = null,
    string? Tag = null,
    string? Digest = null,
    string? Q = null,
    string? Limit = null,
    string? Cursor = null)
{
    public (ImageQuery? Query, Dictionary<string, string[]> Errors) Parse()
    {
        var p = new FilterParser();
        var query = new ImageQuery
        {
            AccountId = p.Account(AccountId),
            Registry = p.Text("registry", Registry, ObservedBatchRules.MaxNameLength),
            Repository = p.Text("repository", Repository, ObservedBatchRules.MaxIdLength),
            Tag = p.Text("tag", Tag),
            Digest = p.Text("digest", Digest, ObservedBatchRules.MaxNameLength),
            Text = p.Text("q", Q),
            Limit = p.Limit(Limit),
            Cursor = p.Cursor(AssetCursor.Images, Cursor),
        };
        return p.Result(query);
    }
}

public sealed record WorkloadFilter(
    string? AccountId = null,
    string? Cluster = null,
    string? Namespace = null,
    string? Kind = null,
    string? Q = null,
    string? Limit = null,
    string? Cursor = null)
{
    public (WorkloadQuery? Query, Dictionary<string, string[]> Errors) Parse()
    {
        var p = new FilterParser();
        var query = new WorkloadQuery
        {
            AccountId = p.Account(AccountId),
            Cluster = p.Text("cluster", Cluster, ObservedBatchRules.MaxNameLength),
            // "" is a real value: the cluster-scoped objects.
            Namespace = p.Text("namespace", Namespace, allowEmpty: true),
            Kind = p.Text("kind", Kind),
            Text = p.Text("q", Q),
            Limit = p.Limit(Limit),
            Cursor = p.Cursor(AssetCursor.Workloads, Cursor),
        };
        return p.Result(query);
    }
}

/// <summary>Parses filter values, collecting a problem per field.</summary>
internal sealed class FilterParser
{
    public const int MaxPageSize = 500;
    public const int DefaultPageSize = 100;
    public const int MaxTextLength = 200;

    private readonly Dictionary<string, string[]> _errors = [];

    public Dictionary<string, string[]> Errors => _errors;

    public (T? Query, Dictionary<string, string[]> Errors) Result<T>(T query)
        where T : class =>
        _errors.Count == 0 ? (query, _errors) : (null, _errors);

    public string? Text(string field, string? value, int maxLength = MaxTextLength, bool allowEmpty = false)
    {
        if (value is null)
        {
            return null;
        }

        if ((value.Length == 0 && !allowEmpty) || value.Length > maxLength)
        {
            _errors[field] = [$"Between {(allowEmpty ? 0 : 1)} and {maxLength} characters."];
            return null;
        }

        return value;
    }

    public Guid? Account(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (Guid.TryParse(value, out var account))
        {
            return account;
        }

        _errors["accountId"] = ["Not an account id (a GUID)."];
        return null;
    }

    public CloudProvider? Provider(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (!int.TryParse(value, out _) && Enum.TryParse<CloudProvider>(value, ignoreCase: true, out var provider) && Enum.IsDefined(provider))
        {
            return provider;
        }

        _errors["provider"] = [$"'{value}' is not one of: {string.Join(", ", Enum.GetNames<CloudProvider>())}."];
        return null;
    }

    public int Limit(string? value)
    {
        var limit = DefaultPageSize;
        if (value is not null && (!int.TryParse(value, out limit) || limit is < 1 or > MaxPageSize))
        {
            _errors["limit"] = [$"Between 1 and {MaxPageSize}."];
        }

        return limit;
    }

    public string? Cursor(string list, string? value)
    {
        if (AssetCursor.Validate(list, value) is { } problem)
        {
            _errors["cursor"] = [problem];
            return null;
        }

        return string.IsNullOrEmpty(value) ? null : value;
    }
}
