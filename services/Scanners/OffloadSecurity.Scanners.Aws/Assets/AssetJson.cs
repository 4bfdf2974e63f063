using System.Text.Json;
using System.Text.Json.Serialization;

namespace OffloadSecurity.Scanners.Aws.Assets;

/// <summary>How an asset's record is written as its raw JSON: camelCase, nulls left out.</summary>
internal static class AssetJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Of<T>(T record) => JsonSerializer.Serialize(record, Options);
}
