using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OffloadSecurity.Inventory.Findings;

/// <summary>
/// Writes findings as OCSF JSON Lines or CSV straight to a stream, one row at a time: memory stays flat whatever
/// the tenant's size.
/// </summary>
public static class FindingExport
{
    private const int FlushEvery = 200;
    private static readonly byte[] NewLine = [(byte)'\n'];

    public static readonly string[] CsvColumns =
    [
        "fingerprint", "status", "workflow", "severity", "class", "title", "provider", "cloud_account_id", "account_id", "region",
        "source", "native_id", "resource_type", "resource_id", "compliance", "cves", "first_seen", "last_seen", "resolved_at", "remediation_url",
    ];

    public static async Task WriteJsonLinesAsync(Stream output, string tenantId, IAsyncEnumerable<ExportedFinding> findings, CancellationToken ct)
    {
        await using var json = new Utf8JsonWriter(output);
        var rows = 0;
        await foreach (var (finding, raw) in findings.WithCancellation(ct))
        {
            OcsfMapper.Write(json, tenantId, finding, raw, null, finding.LastSeen);
            await json.FlushAsync(ct);
            json.Reset();
            await output.WriteAsync(NewLine, ct);
            if (++rows % FlushEvery == 0)
            {
                await output.FlushAsync(ct);
            }
        }
    }

    public static async Task WriteCsvAsync(Stream output, IAsyncEnumerable<ExportedFinding> findings, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), bufferSize: 16 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        await writer.WriteLineAsync(string.Join(',', CsvColumns));
        var rows = 0;
        var line = new StringBuilder(1024);
        await foreach (var (f, _) in findings.WithCancellation(ct))
        {
            line.Clear();
            string?[] cells =
            [
                f.Fingerprint, f.Status.ToString(), f.Workflow?.State.ToString() ?? "", f.Severity.ToString(), f.Class.ToString(), f.Title,
                f.Provider.ToString(), f.CloudAccountId, f.AccountId.ToString(), f.Region, f.Source, f.NativeId, f.Resource.Type, f.Resource.Id,
                string.Join("; ", f.Compliance.Select(c => c.Requirement)), string.Join("; ", f.Vulnerabilities.Select(v => v.Id)),
                Time(f.FirstSeen), Time(f.LastSeen), f.ResolvedAt is { } resolved ? Time(resolved) : "", f.RemediationUrl,
            ];
            for (var i = 0; i < cells.Length; i++)
            {
                if (i > 0)
                {
                    line.Append(',');
                }

                AppendCell(line, cells[i]);
            }

            await writer.WriteLineAsync(line, ct);
            if (++rows % FlushEvery == 0)
            {
                await writer.FlushAsync(ct);
            }
        }

        await writer.FlushAsync(ct);
    }

    /// <summary>
    /// RFC 4180 escaping (quotes doubled; a cell with a comma, quote or line break is quoted) and a guard against
    /// formula injection: a cell a spreadsheet would evaluate (starting with = + - @, tab or CR) gets a leading
    /// apostrophe so it is shown as text.
    /// </summary>
    public static void AppendCell(StringBuilder line, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            line.Append(value);
            return;
        }

        line.Append('"').Append(value.Replace("\"", "\"\"")).Append('"');
    }

    public static string Cell(string? value)
    {
        var line = new StringBuilder();
        AppendCell(line, value);
        return line.ToString();
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
