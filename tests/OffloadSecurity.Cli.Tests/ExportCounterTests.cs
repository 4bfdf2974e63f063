using System.Text;
using OffloadSecurity.Cli.Commands.Findings;

namespace OffloadSecurity.Cli.Tests;

public class ExportCounterTests
{
    [Fact]
    public void Csv_counts_records_not_line_breaks_inside_quoted_cells_even_across_chunks()
    {
        var csv = Encoding.UTF8.GetBytes("fingerprint,title\r\na1,\"two\nlines, and \"\"quotes\"\"\"\r\nb2,plain\r\n");
        var counter = new ExportCounter(csv: true);

        // Split inside the quoted cell: the quote state carries over to the next chunk.
        counter.Add(csv.AsSpan(0, 25));
        counter.Add(csv.AsSpan(25));

        counter.Bytes.ShouldBe(csv.Length);
        counter.Lines.ShouldBe(3);
        counter.Findings.ShouldBe(2);
    }

    [Fact]
    public void Jsonl_counts_one_finding_per_line()
    {
        var counter = new ExportCounter(csv: false);

        counter.Add("{\"a\":\"x\\ny\"}\n{\"b\":1}\n"u8);

        counter.Findings.ShouldBe(2);
        counter.Lines.ShouldBe(2);
    }
}
