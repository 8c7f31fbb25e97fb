using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Nerdbank.MessagePack;
using Tessera.Distributed.Serialization;

namespace Tessera.DataFrames;

/// <summary>
/// Moves <see cref="Table"/> partitions between processes as Arrow IPC streams (schema, index
/// metadata and buffers), registered in <see cref="SerializerRegistry.Shared"/> when this assembly
/// loads, so the distributed runtime carries partitions with no set-up on either side.
/// </summary>
public static class TableSerializer
{
    /// <summary>Registers the <see cref="Table"/> (and <c>Table[]</c>) serializer in <see cref="SerializerRegistry.Shared"/> (done automatically when the assembly loads; calling it again is harmless).</summary>
    /// <param name="registry">The registry; by default the shared one.</param>
    public static void Register(SerializerRegistry? registry = null)
    {
        SerializerRegistry target = registry ?? SerializerRegistry.Shared;
        target.Register<Table>(Write, Read);

        // A shuffle's split step sends one table per output partition as an array.
        target.Register<Table[]>(WriteMany, ReadMany);
    }

    /// <summary>Encodes a table as an Arrow IPC stream.</summary>
    /// <param name="table">The table.</param>
    /// <returns>The bytes.</returns>
    public static byte[] ToIpc(Table table)
    {
        ArgumentNullException.ThrowIfNull(table);
        using var ms = new MemoryStream();
        using (var writer = new ArrowStreamWriter(ms, table.Schema, leaveOpen: true))
        {
            writer.WriteRecordBatch(table.ToArrow());
            writer.WriteEnd();
        }

        return ms.ToArray();
    }

    /// <summary>Decodes a table written by <see cref="ToIpc"/>.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The table.</returns>
    public static Table FromIpc(ReadOnlyMemory<byte> bytes)
    {
        using var reader = new ArrowStreamReader(bytes);
        RecordBatch? batch = reader.ReadNextRecordBatch();
        if (batch is null)
        {
            Schema schema = reader.Schema;
            batch = new RecordBatch(schema, schema.FieldsList.Select(f => Kernels.Arrays.Nulls(f.DataType, 0)), 0);
        }

        return Table.FromBatch(batch);
    }

    [SuppressMessage("Usage", "CA2255", Justification = "Registers the partition serializer so worker processes can read partitions without set-up code.")]
    [ModuleInitializer]
    internal static void RegisterOnLoad() => Register();

    private static void Write(ref MessagePackWriter writer, Table value) => writer.Write(ToIpc(value));

    private static void WriteMany(ref MessagePackWriter writer, Table[] values)
    {
        writer.WriteArrayHeader(values.Length);
        foreach (Table t in values)
        {
            Write(ref writer, t);
        }
    }

    private static Table[] ReadMany(ref MessagePackReader reader)
    {
        var values = new Table[reader.ReadArrayHeader()];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Read(ref reader);
        }

        return values;
    }

    private static Table Read(ref MessagePackReader reader)
    {
        System.Buffers.ReadOnlySequence<byte>? bytes = reader.ReadBytes();
        return FromIpc(bytes is { } b ? System.Buffers.BuffersExtensions.ToArray(b) : []);
    }
}
