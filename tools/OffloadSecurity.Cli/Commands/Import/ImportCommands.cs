using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using OffloadSecurity.Cli.Output;

namespace OffloadSecurity.Cli.Commands.Import;

/// <summary>
/// <c>offload import asff FILE [--json]</c> and <c>offload import guardduty FILE [--json]</c>: sends a findings file
/// (Security Hub / Prowler ASFF, JSON Lines, a GuardDuty GetFindings response) to <c>POST /api/imports/...</c> and
/// prints what was imported, or the platform's record-level error (exit 1).
/// </summary>
public static class ImportCommands
{
    /// <summary>The platform's limit (413 beyond); checked here too so a too-large file is not sent at all.</summary>
    public const long MaxFileBytes = 50L * 1024 * 1024;

    public static Command Create(CliSession session)
    {
        var command = new Command("import", "Import findings from files, for AWS accounts that cannot be connected.");
        command.Subcommands.Add(Kind(session, "asff", "asff",
            "A Security Hub export or GetFindings response, a JSON array of ASFF findings, or Prowler's ASFF output (JSON or JSON Lines)."));
        command.Subcommands.Add(Kind(session, "guardduty", "guardduty",
            "A GuardDuty GetFindings response ({\"Findings\": [...]}, either casing), an array of findings, or JSON Lines."));
        return command;
    }

    private static Command Kind(CliSession session, string name, string path, string description)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The file to import." };
        var json = new Option<bool>("--json") { Description = "Print the platform's answer as JSON: {importId, findings, accounts}." };
        var command = new Command(name, description) { file, json };
        command.SetAction(async (parse, ct) =>
        {
            var source = parse.GetValue(file)!;
            if (!source.Exists)
            {
                throw new CliException(ExitCodes.Failed, $"No file {source.FullName}.");
            }

            if (source.Length > MaxFileBytes)
            {
                throw new CliException(ExitCodes.Failed, $"{source.FullName} is larger than the {MaxFileBytes / (1024 * 1024)} MB the platform imports; split it.");
            }

            var bytes = await File.ReadAllBytesAsync(source.FullName, ct);
            using var platform = session.Platform(parse);
            var answer = await platform.PostAsync<ImportAnswer>($"api/imports/{path}", new RawFile(bytes), ct);
            var console = session.Out(parse);
            if (parse.GetValue(json))
            {
                console.Line(JsonSerializer.Serialize(answer, PlatformClient.Json));
                return ExitCodes.Ok;
            }

            console.Line($"Imported {answer.Findings} findings from {source.Name} (import {answer.ImportId}).");
            foreach (var account in answer.Accounts)
            {
                console.Line($"  AWS account {account.AwsAccountId ?? "(none named)"}: {account.Findings} findings, account id {account.AccountId}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>What the import API answers (202).</summary>
    public sealed record ImportAnswer(Guid ImportId, int Findings, IReadOnlyList<ImportedAccount> Accounts);

    public sealed record ImportedAccount(string? AwsAccountId, Guid AccountId, int Findings);

    /// <summary>
    /// The file's bytes as the request body, unchanged (JSON Lines included): the platform, not the CLI, reads and
    /// validates it, so its errors name the records the way the file has them.
    /// </summary>
    [JsonConverter(typeof(RawFileConverter))]
    public sealed record RawFile(byte[] Bytes);

    private sealed class RawFileConverter : JsonConverter<RawFile>
    {
        public override RawFile Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("A raw file is only ever sent.");

        public override void Write(Utf8JsonWriter writer, RawFile value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Bytes, skipInputValidation: true);
    }
}
