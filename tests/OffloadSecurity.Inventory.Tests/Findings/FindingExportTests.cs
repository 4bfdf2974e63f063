using System.Text;
using OffloadSecurity.Inventory.Findings;

namespace OffloadSecurity.Inventory.Tests.Findings;

/// <summary>CSV cells, without a store (the exports through each store are in the store contract).</summary>
public sealed class FindingExportTests
{
    [Fact]
    public void Csv_cells_are_escaped_and_formulas_neutralized()
    {
        FindingExport.Cell("plain").ShouldBe("plain");
        FindingExport.Cell("a,b").ShouldBe("\"a,b\"");
        FindingExport.Cell("say \"hi\"").ShouldBe("\"say \"\"hi\"\"\"");
        FindingExport.Cell("line1\nline2").ShouldBe("\"line1\nline2\"");
        FindingExport.Cell("=HYPERLINK(\"http://x\")").ShouldBe("\"'=HYPERLINK(\"\"http://x\"\")\"");
        FindingExport.Cell("+1").ShouldBe("'+1");
        FindingExport.Cell("-2").ShouldBe("'-2");
        FindingExport.Cell("@SUM(A1)").ShouldBe("'@SUM(A1)");
        FindingExport.Cell(null).ShouldBe("");
    }

    /// <summary>A small RFC 4180 reader, to prove the output parses back to the original cells.</summary>
    public static List<List<string>> ParseCsv(string csv)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(cell.ToString());
                cell.Clear();
            }
            else if (c == '\r' && i + 1 < csv.Length && csv[i + 1] == '\n')
            {
                row.Add(cell.ToString());
                cell.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else
            {
                cell.Append(c);
            }
        }

        return rows;
    }
}
