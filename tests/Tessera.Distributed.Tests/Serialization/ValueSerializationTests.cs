using System.Collections.Immutable;
using System.Numerics;
using CsCheck;
using Nerdbank.MessagePack;
using Tessera.Arrays;
using Tessera.Distributed.Serialization;
using Tessera.Graphs;

namespace Tessera.Distributed.Tests.Serialization;

public sealed class ValueSerializationTests
{
    public static TheoryData<string, object?> Families() => new()
    {
        { "null", null },
        { "bool", true },
        { "int", -42 },
        { "long", long.MinValue },
        { "uint", uint.MaxValue },
        { "ulong", ulong.MaxValue },
        { "short", (short)-7 },
        { "ushort", (ushort)65000 },
        { "byte", (byte)200 },
        { "sbyte", (sbyte)-100 },
        { "char", 'é' },
        { "float", 1.5f },
        { "double", Math.PI },
        { "nan", double.NaN },
        { "half", (Half)0.5 },
        { "int128", Int128.MinValue + 3 },
        { "uint128", UInt128.MaxValue - 1 },
        { "nint", (nint)(-5) },
        { "nuint", (nuint)5 },
        { "decimal", 79228162514264337593543950335m },
        { "decimal-scale", -1.000000001m },
        { "string", "héllo, wörld" },
        { "empty-string", string.Empty },
        { "datetime-utc", new DateTime(2024, 2, 29, 23, 59, 59, DateTimeKind.Utc).AddTicks(1234567) },
        { "datetime-local", new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Local) },
        { "datetimeoffset", new DateTimeOffset(2020, 5, 6, 7, 8, 9, TimeSpan.FromHours(-5.5)) },
        { "timespan", TimeSpan.FromTicks(-123456789) },
        { "dateonly", new DateOnly(1999, 12, 31) },
        { "timeonly", new TimeOnly(23, 59, 59, 999) },
        { "guid", Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e") },
        { "bigint", BigInteger.Parse("-123456789012345678901234567890", System.Globalization.CultureInfo.InvariantCulture) },
        { "complex", new Complex(1.5, -2) },
        { "enum", Color.Blue },
        { "enum-ulong", Wide.Top },
        { "framework-enum", DayOfWeek.Friday },
        { "key", new Key("sum-agg-9f3ac1") },
        { "key-indexed", new Key("x", 1, 2) },
        { "key-rank3", new Key("x", [1, 2, 3]) },
        { "bytes-small", new byte[] { 1, 2, 3 } },
        { "bytes-large", Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray() },
        { "doubles-small", new[] { 1.0, 2.5, -0.0 } },
        { "doubles-large", Enumerable.Range(0, 10_000).Select(i => i * 0.5).ToArray() },
        { "ints-2d", new int[,] { { 1, 2, 3 }, { 4, 5, 6 } } },
        { "bools", new[] { true, false, true } },
        { "decimals", new[] { 1m, 2.5m } },
        { "enums", new[] { Color.Red, Color.Blue } },
        { "structs-bulk", new[] { new Vec(1, 2, 3), new Vec(4, 5, 6) } },
        { "nullable-ints", new int?[] { 1, null, 3 } },
        { "strings", new[] { "a", null, "c" } },
        { "objects", new object?[] { 1, "two", 3.0, null, new Key("k") } },
        { "jagged", new[] { new[] { 1, 2 }, [3] } },
        { "keys", new[] { new Key("a"), new Key("b", 2) } },
        { "list", new List<int> { 1, 2, 3 } },
        { "list-strings", new List<string> { "x", "y" } },
        { "list-records", new List<Person> { new("Ann", 31, ["a"]) } },
        { "dict", new Dictionary<string, double> { ["a"] = 1, ["b"] = 2 } },
        { "dict-ignorecase", new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase) { ["A"] = 1 } },
        { "dict-object", new Dictionary<int, object?> { [1] = "one", [2] = null, [3] = new[] { 1.0 } } },
        { "hashset", new HashSet<string> { "p", "q" } },
        { "immutable-array", ImmutableArray.Create(1.0, 2.0, 3.0) },
        { "immutable-array-strings", ImmutableArray.Create("a", "b") },
        { "immutable-list", ImmutableList.Create(1, 2) },
        { "immutable-dict", ImmutableDictionary.CreateRange([KeyValuePair.Create("k", 1)]) },
        { "immutable-set", ImmutableHashSet.Create(3, 4) },
        { "valuetuple", (1, "two", 3.0) },
        { "valuetuple-long", (1, 2, 3, 4, 5, 6, 7, 8, 9) },
        { "tuple", Tuple.Create(1, "two") },
        { "kvp", KeyValuePair.Create("k", 2) },
        { "record", new Person("Ann", 31, ["x", "y"]) },
        { "record-struct", new Vec(1, 2, 3) },
        { "readonly-record-struct", new Labelled("l", 2.5) },
        { "plain-class", PlainData.Create(5, "five", 0.25) },
        { "derived-class", new Derived { Number = 1, Text = "d", Id = Guid.Empty } },
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void RoundTrip_ValueFamily_PreservesTypeAndContent(string family, object? value)
    {
        object? back = RoundTrip.Value(value);
        Deep.Equal(value, back, family);
    }

    [Fact]
    public void RoundTrip_Primitives_PropertyHolds()
    {
        Gen<object?> any = Gen.OneOf<object?>(
            Gen.Int.Select(x => (object?)x),
            Gen.Long.Select(x => (object?)x),
            Gen.Double.Select(x => (object?)x),
            Gen.Float.Select(x => (object?)x),
            Gen.Decimal.Select(x => (object?)x),
            Gen.String.Select(x => (object?)x),
            Gen.Char.Select(x => (object?)x),
            Gen.DateTime.Select(x => (object?)x),
            Gen.DateTimeOffset.Select(x => (object?)x),
            Gen.TimeSpan.Select(x => (object?)x),
            Gen.Guid.Select(x => (object?)x),
            Gen.Int128.Select(x => (object?)x),
            Gen.Double.Array.Select(x => (object?)x),
            Gen.Int.List.Select(x => (object?)x),
            Gen.String.Array.Select(x => (object?)x));
        any.Sample(v => Deep.Equal(v, RoundTrip.Value(v)), iter: 300, threads: 1);
    }

    [Fact]
    public void RoundTrip_LargeArray_TravelsOutOfBandWithoutCopy()
    {
        double[] data = [.. Enumerable.Range(0, 100_000).Select(i => (double)i)];
        SerializedMessage message = RoundTrip.Serializer.SerializeValue(data);

        ReadOnlyMemory<byte> buffer = Assert.Single(message.Buffers);
        Assert.Equal(800_000, buffer.Length);
        Assert.True(message.Header.Length < 64, $"header is {message.Header.Length} bytes");
        // Zero copy on the send side: the buffer aliases the array.
        data[7] = -1;
        Assert.Equal(-1.0, BitConverter.ToDouble(buffer.Span[56..64]));

        var back = (double[])RoundTrip.Serializer.DeserializeValue(message, RoundTrip.Session)!;
        Assert.Equal(data, back);
        data[8] = -2;
        Assert.Equal(8.0, back[8]); // one copy on receive: the result does not alias the buffer
    }

    [Fact]
    public void RoundTrip_AViewOfALargeBlock_SendsOnlyItsOwnElements()
    {
        // NumPy pickles a view by copying its elements; sending the view's whole parent buffer
        // would move 100x the data for this slice.
        NDArray<double> block = NDArray.Arange<double>(0, 1_000_000).Reshape(1000, 1000);
        NDArray<double> column = block.Slice(Ix.All, Ix.S(0, 10)); // 1000 x 10, strided
        NDArray<double> row = block.Slice(Ix.S(3, 4));              // 1 x 1000, offset

        foreach (NDArray<double> view in new[] { column, row })
        {
            SerializedMessage message = RoundTrip.Serializer.SerializeValue(view);
            Assert.InRange(message.TotalLength, view.NBytes, view.NBytes + 512);
            var back = (NDArray<double>)RoundTrip.Serializer.DeserializeValue(message, RoundTrip.Session)!;
            Assert.Equal(view.Shape, back.Shape);
            Assert.Equal(view.ToArray(), back.ToArray());
        }
    }

    [Fact]
    public void RoundTrip_ABroadcastBlock_StaysBroadcast()
    {
        // da.ones' blocks are one element broadcast to the block's shape: they travel as that element.
        NDArray<double> ones = NDArray<double>.Full(1.0, 1).BroadcastTo(1000, 1000);
        SerializedMessage message = RoundTrip.Serializer.SerializeValue(ones);
        Assert.True(message.TotalLength < 256, $"{message.TotalLength} bytes for a broadcast scalar");
        var back = (NDArray<double>)RoundTrip.Serializer.DeserializeValue(message, RoundTrip.Session)!;
        Assert.Equal(ones.Shape, back.Shape);
        Assert.Equal(ones.ToArray(), back.ToArray());
    }

    [Fact]
    public void RoundTrip_SmallArray_StaysInTheHeader()
    {
        SerializedMessage message = RoundTrip.Serializer.SerializeValue(new[] { 1.0, 2.0 });
        Assert.Empty(message.Buffers);
    }

    [Fact]
    public void RoundTrip_OutOfBandThresholdZero_SendsEveryArrayOutOfBand()
    {
        var serializer = new TesseraSerializer(new SerializerOptions { OutOfBandThreshold = 0 });
        SerializedMessage message = serializer.SerializeValue(new object[] { new[] { 1 }, new List<long> { 2, 3 }, ImmutableArray.Create(4f) });
        Assert.Equal(3, message.Buffers.Count);
        Deep.Equal(new object[] { new[] { 1 }, new List<long> { 2, 3 }, ImmutableArray.Create(4f) }, RoundTrip.Value(new object[] { new[] { 1 }, new List<long> { 2, 3 }, ImmutableArray.Create(4f) }, serializer));
    }

    [Fact]
    public void RoundTrip_SharedAndCyclicReferences_ArePreserved()
    {
        var a = new Cyclic { Value = 1 };
        var b = new Cyclic { Value = 2, Next = a };
        a.Next = b;
        int[] shared = [1, 2, 3];

        var back = (object?[])RoundTrip.Value(new object?[] { a, shared, shared })!;

        var a2 = (Cyclic)back[0]!;
        Assert.Equal(1, a2.Value);
        Assert.Equal(2, a2.Next!.Value);
        Assert.Same(a2, a2.Next.Next);
        Assert.Same(back[1], back[2]);
    }

    [Fact]
    public void RoundTrip_Exception_BecomesRemoteExceptionWithTypeStackAndInner()
    {
        Exception thrown;
        try
        {
            try
            {
                throw new InvalidOperationException("inner boom");
            }
            catch (Exception cause)
            {
                throw new ArgumentException("outer boom", cause);
            }
        }
        catch (Exception e)
        {
            thrown = e;
        }

        var back = Assert.IsType<RemoteException>(RoundTrip.Value(thrown));

        Assert.Equal("System.ArgumentException", back.RemoteTypeName);
        Assert.Equal("outer boom", back.Message);
        Assert.Contains(nameof(RoundTrip_Exception_BecomesRemoteExceptionWithTypeStackAndInner), back.RemoteStackTrace, StringComparison.Ordinal);
        RemoteException inner = Assert.Single(back.InnerExceptions);
        Assert.Same(inner, back.InnerException);
        Assert.Equal("System.InvalidOperationException", inner.RemoteTypeName);
        Assert.Contains("System.ArgumentException (remote): outer boom", back.ToString(), StringComparison.Ordinal);

        var again = Assert.IsType<RemoteException>(RoundTrip.Value(back));
        Assert.Equal("System.ArgumentException", again.RemoteTypeName);
        Assert.Equal(back.RemoteStackTrace, again.RemoteStackTrace);
    }

    [Fact]
    public void RoundTrip_AggregateException_KeepsEveryInner()
    {
        var e = new AggregateException(new TimeoutException("t"), new IOException("io"));
        var back = Assert.IsType<RemoteException>(RoundTrip.Value(e));
        Assert.Equal(["System.TimeoutException", "System.IO.IOException"], back.InnerExceptions.Select(i => i.RemoteTypeName));
    }

    [Fact]
    public void RegisteredSerializer_IsUsedOnBothSides()
    {
        var serializer = new TesseraSerializer();
        serializer.Registry.Register<Uri>(
            (ref MessagePackWriter w, Uri u) => w.Write(u.OriginalString),
            (ref MessagePackReader r) => new Uri(r.ReadString()!));

        object? back = RoundTrip.Value(new object[] { new Uri("https://example.org/a?b=c") }, serializer);

        Assert.Equal(new Uri("https://example.org/a?b=c"), ((object[])back!)[0]);
        Assert.Throws<DisallowedTypeException>(() =>
            RoundTrip.Serializer.DeserializeValue(serializer.SerializeValue(new Uri("https://example.org")), RoundTrip.Session));
    }

    [Theory]
    [InlineData("stream")]
    [InlineData("random")]
    [InlineData("task")]
    [InlineData("type")]
    [InlineData("delayed")]
    public void Serialize_ResourceOrNonData_IsRefusedWithPath(string which)
    {
        object value = which switch
        {
            "stream" => new MemoryStream(),
            "random" => new Random(1),
            "task" => Task.CompletedTask,
            "type" => typeof(int),
            _ => (Delayed<int>)1,
        };
        var holder = new Dictionary<string, object> { ["item"] = new object[] { 1, value } };

        ValueSerializationException e = Assert.Throws<ValueSerializationException>(() => RoundTrip.Serializer.SerializeValue(holder));

        Assert.Equal("value[0][1]", e.Path);
        Assert.StartsWith("value[0][1]: a value of type ", e.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be serialized", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_UntrustedUserType_IsRefusedNamingTheType()
    {
        SerializedMessage message = RoundTrip.Serializer.SerializeValue(new Person("Ann", 1, []));
        using var untrusting = new CodeSession("untrusting");

        DisallowedTypeException e = Assert.Throws<DisallowedTypeException>(() => RoundTrip.Serializer.DeserializeValue(message, untrusting));

        Assert.Equal(typeof(Person).FullName, e.TypeName);
        Assert.Contains(typeof(Person).FullName!, e.Message, StringComparison.Ordinal);
        Assert.Throws<DisallowedTypeException>(() => RoundTrip.Serializer.DeserializeValue(message, session: null));

        untrusting.Trust(typeof(Person).Assembly);
        Assert.Equal("Ann", ((Person)RoundTrip.Serializer.DeserializeValue(message, untrusting)!).Name);
    }

    [Fact]
    public void Deserialize_FrameworkTypeOutsideAllowList_IsRefused()
    {
        // A hand-made message asking for [Object, System.IO.FileInfo, <field…>].
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(3);
        w.Write(34);
        w.WriteArrayHeader(4);
        w.Write(0);
        w.Write(typeof(FileInfo).Assembly.GetName().Name);
        w.Write(typeof(FileInfo).FullName);
        w.WriteNil();
        w.Write("/etc/passwd");
        w.Flush();

        DisallowedTypeException e = Assert.Throws<DisallowedTypeException>(() =>
            RoundTrip.Serializer.DeserializeValue(new SerializedMessage(buffer.WrittenMemory, []), RoundTrip.Session));

        Assert.Equal("System.IO.FileInfo", e.TypeName);
        Assert.Contains("System.IO.FileInfo", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_TruncatedOrCorruptMessage_ThrowsInvalidData()
    {
        SerializedMessage message = RoundTrip.Serializer.SerializeValue(new Person("Ann", 31, ["x"]));
        byte[] block = message.ToArray();

        Assert.Throws<InvalidDataException>(() => SerializedMessage.FromArray(block.AsMemory(0, block.Length - 1)));
        Assert.Throws<InvalidDataException>(() => SerializedMessage.FromArray(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }));

        // A bulk array that claims far more items than the message holds.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(4);
        w.Write(32);
        w.WriteArrayHeader(4);
        w.Write(0);
        w.Write(typeof(double).Assembly.GetName().Name);
        w.Write(typeof(double).FullName);
        w.WriteNil();
        w.Write(int.MaxValue);
        w.Write(0);
        w.Flush();
        Assert.Throws<InvalidDataException>(() =>
            RoundTrip.Serializer.DeserializeValue(new SerializedMessage(buffer.WrittenMemory, []), RoundTrip.Session));
    }

    [Fact]
    public void EncodeContext_SharesTypeTableAcrossValuesOfOneMessage()
    {
        TesseraSerializer s = RoundTrip.Serializer;
        EncodeContext context = s.CreateEncodeContext();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(3);
        w.Write("op");
        s.WriteValue(ref w, new Person("A", 1, []), context);
        int first = (int)buffer.WrittenCount + (int)w.UnflushedBytes;
        s.WriteValue(ref w, new Person("B", 2, []), context);
        int second = (int)buffer.WrittenCount + (int)w.UnflushedBytes - first;
        w.Flush();

        Assert.True(second < 20, $"the second record took {second} bytes; its type should be a 1-byte reference");
        Assert.Contains(typeof(Person).Assembly, context.UserAssemblies);

        DecodeContext read = s.CreateDecodeContext(new SerializedMessage(buffer.WrittenMemory, [.. context.Buffers]), RoundTrip.Session);
        var r = new MessagePackReader(buffer.WrittenMemory);
        Assert.Equal(3, r.ReadArrayHeader());
        Assert.Equal("op", r.ReadString());
        Assert.Equal("A", ((Person)s.ReadValue(ref r, read)!).Name);
        Assert.Equal("B", ((Person)s.ReadValue(ref r, read)!).Name);
    }
}
