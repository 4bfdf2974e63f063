using OffloadSecurity.ServiceDefaults.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace OffloadSecurity.ServiceDefaults.Tests.Logging;

public class SecretRedactionEnricherTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYPLANTED01";

    [Fact]
    public void Redacts_properties_named_like_secrets_at_any_depth()
    {
        var events = Log(logger => logger.Information(
            "Connecting {AccountId} with {SecretAccessKey} and {@Request}",
            "acc-1", Secret, new { AccessKeyId = "AKIAIOSFODNN7EXAMPLE", SessionToken = Secret, Nested = new { ClientSecret = Secret } }));

        var rendered = events.Single().RenderMessage();
        rendered.ShouldNotContain(Secret);
        rendered.ShouldContain("acc-1");
        rendered.ShouldContain("AKIAIOSFODNN7EXAMPLE");
        rendered.ShouldContain(SecretRedactionEnricher.Redacted);
    }

    [Fact]
    public void Redacts_secret_keys_of_dictionaries()
    {
        var events = Log(logger => logger.Information("Settings {@Settings}", new Dictionary<string, string> { ["password"] = Secret, ["host"] = "db" }));

        var rendered = events.Single().RenderMessage();
        rendered.ShouldNotContain(Secret);
        rendered.ShouldContain("db");
    }

    [Theory]
    [InlineData("SecretAccessKey", true)]
    [InlineData("sessionToken", true)]
    [InlineData("Kubeconfig", true)]
    [InlineData("Authorization", true)]
    [InlineData("AccessKeyId", false)]
    [InlineData("AccountId", false)]
    public void Knows_which_names_hold_secrets(string name, bool secret) =>
        SecretRedactionEnricher.IsSecretName(name).ShouldBe(secret);

    private static List<LogEvent> Log(Action<ILogger> write)
    {
        var sink = new ListSink();
        using var logger = new LoggerConfiguration().Enrich.With<SecretRedactionEnricher>().WriteTo.Sink(sink).CreateLogger();
        write(logger);
        return sink.Events;
    }

    private sealed class ListSink : ILogEventSink
    {
        public List<LogEvent> Events { get; } = [];

        public void Emit(LogEvent logEvent) => Events.Add(logEvent);
    }
}
