using System.Text.Json.Serialization;

namespace OffloadSecurity.Contracts;

/// <summary>The kind of account a tenant connects.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CloudProvider>))]
public enum CloudProvider
{
    Aws,
    Azure,
    Gcp,
    Kubernetes,
    Registry,
}
