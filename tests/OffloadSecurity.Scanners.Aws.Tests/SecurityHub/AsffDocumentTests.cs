using System.Text;
using OffloadSecurity.Scanners.Aws.SecurityHub;

namespace OffloadSecurity.Scanners.Aws.Tests.SecurityHub;

public sealed class AsffDocumentTests
{
    [Theory]
    [InlineData("""{"Findings":[{"Id":"a"},{"Id":"b"}],"NextToken":"t"}""")]
    [InlineData("""{"findings":[{"Id":"a"},{"Id":"b"}]}""")]
    [InlineData("""{"NextToken":null,"Findings":[{"Id":"a"},{"Id":"b"}]}""")]
    [InlineData("""[{"Id":"a"},{"Id":"b"}]""")]
    public void Reads_every_envelope_form(string json)
    {
        var document = AsffDocument.Parse(json);

        document.Count.ShouldBe(2);
        document.Records.Select(r => (r.Index, r.Finding.GetProperty("Id").GetString())).ShouldBe([(0, "a"), (1, "b")]);
    }

    [Fact]
    public void Reads_a_bare_finding_object_as_one_record()
    {
        var document = AsffDocument.Parse("""{"Id":"solo","Title":"T","Resources":[]}""");

        var record = document.Records.ShouldHaveSingleItem();
        record.Index.ShouldBe(0);
        record.Finding.GetProperty("Id").GetString().ShouldBe("solo");
    }

    [Fact]
    public void Empty_findings_array_has_no_records()
    {
        AsffDocument.Parse("""{"Findings":[]}""").Records.ShouldBeEmpty();
    }

    [Fact]
    public void Records_carry_their_start_line_and_exact_raw_text()
    {
        const string Json = "{\n  \"Findings\": [\n    {\"Id\": \"a\"},\n    {\n      \"Id\" :  \"b\"\n    }\n  ]\n}\n";

        var records = AsffDocument.Parse(Json).Records.ToList();

        records.Select(r => r.Line).ShouldBe([3L, 4L]);
        records[1].Finding.GetRawText().ShouldBe("{\n      \"Id\" :  \"b\"\n    }");
    }

    [Fact]
    public void Records_stay_usable_after_enumeration()
    {
        var findings = AsffDocument.Parse("""[{"Id":"a"}]""").Records.Select(r => r.Finding).ToList();
        GC.Collect();

        findings[0].GetProperty("Id").GetString().ShouldBe("a");
    }

    [Fact]
    public void Reads_utf8_with_a_byte_order_mark_from_a_stream()
    {
        using var stream = new MemoryStream([.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes("""[{"Id":"é"}]""")]);

        var record = AsffDocument.Load(stream).Records.ShouldHaveSingleItem();

        record.Finding.GetProperty("Id").GetString().ShouldBe("é");
    }

    [Fact]
    public async Task Loads_asynchronously_from_a_stream()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("""{"Findings":[{"Id":"a"}]}"""));

        var document = await AsffDocument.LoadAsync(stream, TestContext.Current.CancellationToken);

        document.Count.ShouldBe(1);
    }

    [Fact]
    public void Malformed_record_is_rejected_with_its_index_and_line()
    {
        const string Json = "[\n{\"Id\":\"a\"},\n{\"Id\":\"b\",\n \"Title\" \"no colon\"}\n]";

        var error = Should.Throw<AsffFormatException>(() => AsffDocument.Parse(Json));

        error.RecordIndex.ShouldBe(1);
        error.Line.ShouldBe(4);
        error.Message.ShouldStartWith("ASFF record 1 (line 4): Invalid JSON");
    }

    [Fact]
    public void Record_that_is_not_an_object_is_rejected_with_its_index()
    {
        var error = Should.Throw<AsffFormatException>(() => AsffDocument.Parse("""{"Findings":[{"Id":"a"},"b"]}"""));

        error.RecordIndex.ShouldBe(1);
        error.Message.ShouldContain("must be a JSON object");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\"Findings\"")]
    [InlineData("42")]
    public void Document_that_is_not_an_envelope_is_rejected(string json)
    {
        Should.Throw<AsffFormatException>(() => AsffDocument.Parse(json)).RecordIndex.ShouldBeNull();
    }

    [Fact]
    public void Truncated_document_is_rejected()
    {
        var error = Should.Throw<AsffFormatException>(() => AsffDocument.Parse("""{"Findings":[{"Id":"a"},{"Id":"""));

        error.RecordIndex.ShouldBe(1);
    }

    [Fact]
    public void Trailing_content_after_the_document_is_rejected()
    {
        var error = Should.Throw<AsffFormatException>(() => AsffDocument.Parse("""[{"Id":"a"}] [{"Id":"b"}]"""));

        error.RecordIndex.ShouldBeNull();
        error.Message.ShouldContain("Invalid JSON");
    }

    [Fact]
    public void Normalizing_a_document_names_the_record_without_an_id()
    {
        var document = AsffDocument.Parse("[\n{\"Id\":\"a\",\"Title\":\"T\"},\n{\"Title\":\"T\"}\n]");

        var error = Should.Throw<AsffFormatException>(
            () => AsffNormalizer.NormalizeAll(document, new AsffContext("t", Guid.NewGuid())));

        error.Field.ShouldBe("Id");
        error.RecordIndex.ShouldBe(1);
        error.Line.ShouldBe(3);
    }
}
