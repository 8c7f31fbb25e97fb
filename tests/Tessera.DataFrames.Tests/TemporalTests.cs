using System.Globalization;
using CsCheck;
using Tessera.Collections;
using Tessera.DataFrames.IO;

namespace Tessera.DataFrames.Tests;

public sealed class TemporalTests : IDisposable
{
    private static readonly DateTime s_start = new(2023, 12, 30, 22, 0, 0, DateTimeKind.Utc);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tessera-df-time-" + Guid.NewGuid().ToString("N"));

    public TemporalTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (DateTime?[] Begin, DateTime[] End, Table Table) Sample(int n)
    {
        var r = new Random(n);
        DateTime?[] begin = [.. Enumerable.Range(0, n).Select(i => r.Next(10) == 0 ? (DateTime?)null : s_start.AddTicks(r.NextInt64(-5_000_000_000_000, 5_000_000_000_000) / 10 * 10))];
        DateTime[] end = [.. Enumerable.Range(0, n).Select(i => s_start.AddTicks(r.NextInt64(0, 9_000_000_000_000) / 10 * 10))];
        return (begin, end, Table.FromColumns(("begin", begin), ("end", end), ("k", Enumerable.Range(0, n).Select(i => (long)(i % 4)).ToArray())));
    }

    [Fact]
    public void TimestampMinusTimestamp_IsDuration_AndAddsBack()
    {
        (DateTime?[] begin, DateTime[] end, Table table) = Sample(500);
        DataFrame df = DataFrame.FromTable(table, 4);
        Series span = df["end"] - df["begin"];
        Assert.Equal(DType.Duration, span.DType);
        DataFrame withSpan = df.Assign("span", span).Assign("back", df["begin"] + span).Assign("days", span.Dt.Days).Assign("seconds", span.Dt.TotalSeconds);
        Table t = withSpan.Compute();
        TimeSpan?[] expected = [.. begin.Zip(end, (b, e) => e - b)];
        Assert.Equal(expected.Select(x => (object?)x), t.GetValues("span"));
        Assert.Equal(begin.Zip(end, (b, e) => b is null ? null : (object?)e), t.GetValues("back"));
        Assert.Equal(expected.Select(x => x is null ? null : (object?)(long)Math.Floor(x.Value.TotalDays)), t.GetValues("days"));
        Assert.Equal(expected.Select(x => x?.TotalSeconds), t.GetDoubles("seconds"));

        // Reductions and comparisons with TimeSpan scalars; the optimizer does not change the result.
        Assert.Equal(TimeSpan.FromTicks(expected.Where(x => x.HasValue).Sum(x => x!.Value.Ticks)), span.Sum().Compute());
        Assert.Equal(expected.Where(x => x.HasValue).Max(), span.Max().Compute());
        long longer = expected.Count(x => x > TimeSpan.FromDays(3));
        Assert.Equal(longer, withSpan[withSpan["span"] > TimeSpan.FromDays(3)].Len().Compute());
        using (TesseraConfig.Set(("dataframe.optimize", false)))
        {
            Assert.Equal(longer, withSpan[withSpan["span"] > TimeSpan.FromDays(3)].Len().Compute());
        }

        Assert.Throws<ArgumentException>(() => df["end"] + df["begin"]);
        Assert.Throws<ArgumentException>(() => span.Dt.Year);
        Assert.Throws<ArgumentException>(() => df["end"].Dt.Days);
    }

    [Fact]
    public void Dates_FromTimestamps_GroupByFilterAccessorAndMinMax()
    {
        (DateTime?[] begin, _, Table table) = Sample(700);
        DataFrame df = DataFrame.FromTable(table, 3);
        Series day = df["begin"].AsType(DType.Date);
        Assert.Equal(DType.Date, day.DType);
        DataFrame withDay = df.Assign("day", day);
        DateOnly?[] days = [.. begin.Select(b => b is null ? (DateOnly?)null : DateOnly.FromDateTime(b.Value))];
        Assert.Equal(days.Select(d => (object?)d), withDay.Compute().GetValues("day"));

        // Group by the date, count per day, like LINQ.
        Table counts = withDay.GroupBy("day")["k"].Count().Compute();
        var expected = days.Where(d => d.HasValue).GroupBy(d => d!.Value).OrderBy(g => g.Key).Select(g => ((object?)g.Key, (long)g.Count())).ToList();
        Assert.Equal(expected, counts.ToRows().Select(r => (r[0], Convert.ToInt64(r[1], CultureInfo.InvariantCulture))).ToList());

        var newYear = new DateOnly(2024, 1, 1);
        Assert.Equal(days.Count(d => d >= newYear), withDay[withDay["day"] >= newYear].Len().Compute());
        Assert.Equal(days.Select(d => d?.Year), withDay["day"].Dt.Year.Compute().GetValues("day").Select(v => (int?)v));
        Assert.Equal(days.Min(), day.Min().Compute());
        Assert.Equal(days.Max(), day.Max().Compute());
        Assert.Equal(days.Select(d => d?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)), day.AsType(DType.Timestamp).Compute().GetValues("begin").Select(v => (DateTime?)v));
        Assert.Equal(days.Select(d => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), day.AsType(DType.String).Compute().GetStrings("begin"));
        Assert.Throws<ArgumentException>(() => day.Sum());
    }

    [Fact]
    public void DatesAndDurations_RoundTripThroughParquetJsonAndStrings()
    {
        (_, _, Table table) = Sample(300);
        DataFrame df = DataFrame.FromTable(table, 2);
        DataFrame typed = df.Assign("day", df["begin"].AsType(DType.Date)).Assign("span", df["end"] - df["begin"]).Drop("begin", "end");
        Table expected = typed.Compute();

        _ = typed.ToParquet(Path.Combine(_dir, "pq"));
        Table parquet = DataFrame.ReadParquet(Path.Combine(_dir, "pq")).Compute();
        Assert.Equal(expected.ToRows(), parquet.ToRows());

        _ = typed.ToJson(Path.Combine(_dir, "json"));
        DataFrame json = DataFrame.ReadJson(Path.Combine(_dir, "json"), new JsonOptions { DTypes = new Dictionary<string, DType> { ["span"] = DType.Duration } });
        Assert.Equal(DType.Date, json.DTypes["day"]);
        Assert.Equal(expected.ToRows(), json.Compute().ToRows());

        Series text = typed["span"].AsType(DType.String);
        Assert.Equal(expected.GetValues("span"), text.AsType(DType.Duration).Compute().GetValues("span"));
    }

    [Fact]
    public void DuckDbDates_ReadFromParquetAndJson()
    {
        string pq = Path.Combine(_dir, "d.parquet");
        string js = Path.Combine(_dir, "d.json");
        const string Select = "SELECT i, DATE '2024-02-27' + (i % 5)::INTEGER AS d FROM range(100) t(i)";
        _ = IOTests.Duck($"COPY ({Select}) TO '{pq}' (FORMAT parquet)");
        _ = IOTests.Duck($"COPY ({Select}) TO '{js}' (FORMAT JSON)");
        var expected = IOTests.Duck($"SELECT strftime(d, '%Y-%m-%d'), count(*) FROM ({Select}) GROUP BY d ORDER BY d").Select(r => ((string)r[0]!, Convert.ToInt64(r[1], CultureInfo.InvariantCulture))).ToList();
        foreach (DataFrame df in new[] { DataFrame.ReadParquet(pq), DataFrame.ReadJson(js) })
        {
            Assert.Equal(DType.Date, df.DTypes["d"]);
            Table counts = df.GroupBy("d").Size().Compute();
            Assert.Equal(expected, counts.ToRows().Select(r => (((DateOnly)r[0]!).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Convert.ToInt64(r[1], CultureInfo.InvariantCulture))).ToList());
        }
    }
    [Theory]
    [InlineData(Apache.Arrow.Types.TimeUnit.Nanosecond, 1000L)]
    [InlineData(Apache.Arrow.Types.TimeUnit.Millisecond, -1000L)]
    [InlineData(Apache.Arrow.Types.TimeUnit.Second, -1_000_000L)]
    public void TimestampsAndDurationsInOtherUnits_AreMicrosecondsInside(Apache.Arrow.Types.TimeUnit unit, long perMicro)
    {
        // perMicro > 0: raw units per microsecond; < 0: microseconds per raw unit.
        var r = new Random(3);
        int n = 200;
        long[] raw = [.. Enumerable.Range(0, n).Select(_ => r.NextInt64(-2_000_000_000_000, 2_000_000_000_000) / (perMicro < 0 ? -perMicro : 1))];
        long[] expected = [.. raw.Select(v => perMicro > 0 ? (long)Math.Floor((decimal)v / perMicro) : v * -perMicro)];

        byte[] bytes = new byte[n * 8];
        System.Runtime.InteropServices.MemoryMarshal.Cast<long, byte>(raw).CopyTo(bytes);
        var ts = new Apache.Arrow.TimestampArray(new Apache.Arrow.ArrayData(new Apache.Arrow.Types.TimestampType(unit, (string?)null), n, 0, 0, [Apache.Arrow.ArrowBuffer.Empty, new Apache.Arrow.ArrowBuffer(bytes)]));
        var du = new Apache.Arrow.DurationArray(new Apache.Arrow.ArrayData(DurationOf(unit), n, 0, 0, [Apache.Arrow.ArrowBuffer.Empty, new Apache.Arrow.ArrowBuffer(bytes)]));
        var batch = new Apache.Arrow.RecordBatch(
            new Apache.Arrow.Schema([new Apache.Arrow.Field("t", ts.Data.DataType, true), new Apache.Arrow.Field("d", du.Data.DataType, true)], null),
            [ts, du],
            n);
        DataFrame df = DataFrame.FromTable(Table.FromArrow(batch), 3);
        Assert.Equal(DType.Timestamp, df.DTypes["t"]);
        Assert.Equal(DType.Duration, df.DTypes["d"]);

        // Timestamp + duration and timestamp - timestamp, hour of day: against the microseconds computed here.
        var first = (DateTime)df["t"].Min().Compute();
        Table t = df.Assign("later", df["t"] + df["d"]).Assign("span", df["t"] - first).Assign("hour", df["t"].Dt.Hour).Compute();
        DateTime epoch = DateTime.UnixEpoch;
        long min = expected.Min();
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(epoch.AddTicks(expected[i] * 10), (DateTime)t.GetValues("t")[i]!);
            Assert.Equal(TimeSpan.FromTicks(expected[i] * 10), (TimeSpan)t.GetValues("d")[i]!);
            Assert.Equal(epoch.AddTicks(expected[i] * 20), (DateTime)t.GetValues("later")[i]!);
            Assert.Equal(TimeSpan.FromTicks((expected[i] - min) * 10), (TimeSpan)t.GetValues("span")[i]!);
            Assert.Equal(epoch.AddTicks(expected[i] * 10).Hour, (int)t.GetValues("hour")[i]!);
        }
    }

    [Fact]
    public void OtherUnitsWithNulls_AnySlice_KeepTheirNulls_AndPassTheBitmapThrough()
    {
        Gen.Select(Gen.Int[0, 300], Gen.Int[0, 20], Gen.Int[0, 10_000], Gen.Bool).Sample((n, offset, seed, nanos) =>
        {
            var r = new Random(seed);
            int total = n + offset;

            // Under a null the raw value is the largest long: a rescale that read it would overflow.
            long?[] raw = [.. Enumerable.Range(0, total).Select(_ => r.Next(4) == 0 ? (long?)null : r.NextInt64(-2_000_000_000_000, 2_000_000_000_000))];
            byte[] bits = new byte[Math.Max(8, (total + 7) / 8)];
            long[] stored = new long[Math.Max(1, total)];
            for (int i = 0; i < total; i++)
            {
                stored[i] = raw[i] ?? long.MaxValue;
                bits[i >> 3] |= (byte)(raw[i] is null ? 0 : 1 << (i & 7));
            }

            var type = new Apache.Arrow.Types.TimestampType(nanos ? Apache.Arrow.Types.TimeUnit.Nanosecond : Apache.Arrow.Types.TimeUnit.Millisecond, (string?)null);
            var whole = new Apache.Arrow.TimestampArray(new Apache.Arrow.ArrayData(type, total, raw.Count(v => v is null), 0, [new Apache.Arrow.ArrowBuffer(bits), new Apache.Arrow.ArrowBuffer(System.Runtime.InteropServices.MemoryMarshal.AsBytes(stored.AsSpan()).ToArray())]));
            Apache.Arrow.IArrowArray sliced = Apache.Arrow.ArrowArrayFactory.Slice(whole, offset, n);
            Apache.Arrow.IArrowArray micros = Kernels.Temporal.ToMicroseconds(sliced);

            long?[] expected = [.. raw.Skip(offset).Select(v => v is long x ? (nanos ? (long)Math.Floor(x / 1000m) : x * 1000) : (long?)null)];
            Assert.Equal(Apache.Arrow.Types.TimeUnit.Microsecond, ((Apache.Arrow.Types.TimestampType)micros.Data.DataType).Unit);
            Assert.Equal(expected.Count(v => v is null), micros.NullCount);
            var ts = (Apache.Arrow.TimestampArray)micros;
            Assert.Equal(expected, Enumerable.Range(0, n).Select(i => ts.IsNull(i) ? (long?)null : ts.Values[i]));
            if (micros.NullCount > 0)
            {
                // The source's bitmap itself, not a copy.
                Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(micros.Data.Buffers[0].Memory, out ArraySegment<byte> shared));
                Assert.Same(bits, shared.Array);
            }

            // Between processes: through the Arrow IPC stream and back.
            Table back = TableSerializer.FromIpc(TableSerializer.ToIpc(Table.Create([], [("t", micros)])));
            Assert.Equal(expected.Select(v => v is long x ? DateTime.UnixEpoch.AddTicks(x * 10) : (DateTime?)null).Cast<object?>(), back.GetValues("t"));
        }, iter: 200);
    }

    [Fact]
    public void DuckDbNanosecondTimestamps_ReadFromParquet_AsMicroseconds()
    {
        string pq = Path.Combine(_dir, "ns.parquet");
        const string Select = "SELECT i, (TIMESTAMP '2024-02-27 10:00:00' + to_microseconds(i * 7919))::TIMESTAMP_NS AS t FROM range(300) t(i)";
        _ = IOTests.Duck($"COPY ({Select}) TO '{pq}' (FORMAT parquet)");
        var expected = IOTests.Duck($"SELECT epoch_us(t::TIMESTAMP) - epoch_us(min(t::TIMESTAMP) OVER ()) FROM ({Select}) ORDER BY i").Select(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)).ToList();
        DataFrame df = DataFrame.ReadParquet(pq);
        Assert.Equal(DType.Timestamp, df.DTypes["t"]);
        var first = (DateTime)df["t"].Min().Compute();
        Assert.Equal(new DateTime(2024, 2, 27, 10, 0, 0, DateTimeKind.Utc), first);
        Table spans = df.Assign("span", df["t"] - first).Compute();
        Assert.Equal(expected, spans.GetValues("span").Select(v => ((TimeSpan)v!).Ticks / 10).ToList());
    }

    private static Apache.Arrow.Types.DurationType DurationOf(Apache.Arrow.Types.TimeUnit unit) => unit switch
    {
        Apache.Arrow.Types.TimeUnit.Nanosecond => Apache.Arrow.Types.DurationType.Nanosecond,
        Apache.Arrow.Types.TimeUnit.Millisecond => Apache.Arrow.Types.DurationType.Millisecond,
        _ => Apache.Arrow.Types.DurationType.Second,
    };
}
