using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OffloadSecurity.Cli.Commands;
using OffloadSecurity.Cli.Commands.Import;
using OffloadSecurity.Cli.Standalone;
using OffloadSecurity.Inventory.Findings;
using OffloadSecurity.Testing;

namespace OffloadSecurity.Cli.Tests;

/// <summary><c>offload import asff|guardduty FILE</c> against a fake platform.</summary>
public sealed class ImportCommandTests : IDisposable
{
    private readonly TempDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Import_sends_the_file_unchanged_and_prints_what_was_imported()
    {
        await using var api = await FakeApi.StartAsync();
        var accountId = Guid.NewGuid();
        api.Answer = _ => Results.Json(
            new ImportCommands.ImportAnswer(Guid.NewGuid(), 2, [new ImportCommands.ImportedAccount("012345678912", accountId, 2)]),
            PlatformClient.Json, statusCode: StatusCodes.Status202Accepted);
        var file = _files.File("prowler.asff.jsonl");
        const string lines = "{\"Id\":\"a\",\"Title\":\"A\"}\n{\"Id\":\"b\",\"Title\":\"B\"}\n";
        await File.WriteAllTextAsync(file, lines, TestContext.Current.CancellationToken);

        var result = await Offload.RunAsync("import", "asff", file, "--url", api.Url.ToString(), "--token", "t");

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        var request = api.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("POST");
        request.PathAndQuery.ShouldBe("/api/imports/asff");
        request.Authorization.ShouldBe("Bearer t");
        request.Body.ShouldBe(lines);
        result.Output.ShouldContain("Imported 2 findings from prowler.asff.jsonl");
        result.Output.ShouldContain($"AWS account 012345678912: 2 findings, account id {accountId}");
    }

    [Fact]
    public async Task Import_json_prints_the_answer()
    {
        await using var api = await FakeApi.StartAsync();
        var importId = Guid.NewGuid();
        api.Answer = _ => Results.Json(new ImportCommands.ImportAnswer(importId, 0, []), PlatformClient.Json, statusCode: StatusCodes.Status202Accepted);
        var file = _files.File("findings.json");
        await File.WriteAllTextAsync(file, "{\"Findings\":[]}", TestContext.Current.CancellationToken);

        var result = await Offload.RunAsync("import", "guardduty", file, "--json", "--url", api.Url.ToString(), "--token", "t");

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        api.Requests.ShouldHaveSingleItem().PathAndQuery.ShouldBe("/api/imports/guardduty");
        JsonDocument.Parse(result.Output).RootElement.GetProperty("importId").GetGuid().ShouldBe(importId);
    }

    [Fact]
    public async Task A_bad_record_prints_the_platforms_record_level_error_and_exits_1()
    {
        await using var api = await FakeApi.StartAsync();
        api.Answer = _ => Results.Problem(
            title: "The file cannot be imported.", detail: "findings[17] (line 240): Title: missing", statusCode: StatusCodes.Status400BadRequest);
        var file = _files.File("bad.json");
        await File.WriteAllTextAsync(file, "[]", TestContext.Current.CancellationToken);

        var result = await Offload.RunAsync("import", "asff", file, "--url", api.Url.ToString(), "--token", "t");

        result.ExitCode.ShouldBe(ExitCodes.Failed, result.ToString());
        result.Error.ShouldContain("findings[17] (line 240): Title: missing");
    }

    [Fact]
    public async Task A_guardduty_file_imported_into_the_standalone_platform_lands_in_the_inventory()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory();
        await using var platform = await StandalonePlatform.StartAsync(new StandaloneOptions { Data = new DataFolder(data.Path), Port = 0 }, ct);
        string[] target = ["--url", platform.Url.ToString(), "--data", data.Path];
        var file = SharedPaths.Corpus("aws-guardduty", "awscli", "get-findings-recon-iamuser-userpermissions.json");

        var result = await Offload.RunAsync(["import", "guardduty", file, .. target]);

        result.ExitCode.ShouldBe(ExitCodes.Ok, result.ToString());
        result.Output.ShouldContain("Imported 1 findings");
        result.Output.ShouldContain("AWS account 111122223333: 1 findings");
        var findings = await Eventually.Until(
            () => Offload.RunAsync(["findings", "list", "--json", .. target]),
            list => list.ExitCode == 0 && JsonSerializer.Deserialize<FindingRecord[]>(list.Output, PlatformClient.Json)!.Length == 1,
            "the imported finding in the inventory");
        var finding = JsonSerializer.Deserialize<FindingRecord[]>(findings.Output, PlatformClient.Json)!.ShouldHaveSingleItem();
        finding.Source.ShouldBe("aws.guardduty.import");
        finding.CloudAccountId.ShouldBe("111122223333");

        // A re-import of the same source and AWS account replaces the previous one: what it lacks is resolved.
        var replacement = _files.File("replacement.jsonl");
        await File.WriteAllTextAsync(replacement, "{\"AccountId\":\"111122223333\",\"Id\":\"other\",\"Type\":\"Recon:IAMUser/UserPermissions\"}\n", ct);
        (await Offload.RunAsync(["import", "guardduty", replacement, .. target])).ExitCode.ShouldBe(ExitCodes.Ok);
        await Eventually.Until(
            () => Offload.RunAsync(["findings", "list", "--json", "--status", "Resolved", .. target]),
            list => list.ExitCode == 0 && JsonSerializer.Deserialize<FindingRecord[]>(list.Output, PlatformClient.Json)!
                .Any(f => f.Fingerprint == finding.Fingerprint),
            "the finding missing from the re-import to be resolved");
    }

    [Fact]
    public async Task A_missing_file_fails_without_calling_the_platform()
    {
        await using var api = await FakeApi.StartAsync();

        var result = await Offload.RunAsync("import", "asff", _files.File("absent.json"), "--url", api.Url.ToString(), "--token", "t");

        result.ExitCode.ShouldBe(ExitCodes.Failed, result.ToString());
        result.Error.ShouldContain("absent.json");
        api.Requests.ShouldBeEmpty();
    }
}
