using Serilog.Core;
using Serilog.Events;

namespace OffloadSecurity.ServiceDefaults.Logging;

/// <summary>
/// Last line of defence: replaces the value of any log property whose name says it holds a secret
/// (at any depth of a structured value). Code should never log secrets in the first place.
/// </summary>
public sealed class SecretRedactionEnricher : ILogEventEnricher
{
    public const string Redacted = "***";

    private static readonly string[] SecretMarkers =
        ["secret", "password", "token", "privatekey", "private_key", "authorization", "kubeconfig", "signingkey", "apikey", "credential"];

    public static bool IsSecretName(string name) =>
        SecretMarkers.Any(marker => name.Contains(marker, StringComparison.OrdinalIgnoreCase));

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        foreach (var (name, value) in logEvent.Properties.ToArray())
        {
            var redacted = IsSecretName(name) ? new ScalarValue(Redacted) : Redact(value);
            if (!ReferenceEquals(redacted, value))
            {
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, redacted));
            }
        }
    }

    private static LogEventPropertyValue Redact(LogEventPropertyValue value) => value switch
    {
        StructureValue structure => new StructureValue(
            structure.Properties.Select(p => new LogEventProperty(p.Name, IsSecretName(p.Name) ? new ScalarValue(Redacted) : Redact(p.Value))),
            structure.TypeTag),
        SequenceValue sequence => new SequenceValue(sequence.Elements.Select(Redact)),
        DictionaryValue dictionary => new DictionaryValue(dictionary.Elements.Select(e =>
            new KeyValuePair<ScalarValue, LogEventPropertyValue>(
                e.Key, e.Key.Value is string key && IsSecretName(key) ? new ScalarValue(Redacted) : Redact(e.Value)))),
        _ => value,
    };
}
