//! Batches: several operations in one request message (Batch Order Option set, so that an
//! operation without a Unique Identifier acts on the ID Placeholder the one before it left),
//! each answered by its own batch item, matched to its request by its Unique Batch Item ID.
//!
//! A server may answer a batch in three ways this module tells apart:
//! - item by item ([`ItemResult::Done`] / [`ItemResult::Failed`]), with the items after a
//!   failed one missing ([`ItemResult::Missing`]: the server stops at the first failure, as the
//!   default Batch Error Continuation Option asks);
//! - with fewer items than it was asked for, or than its own Batch Count says, although none
//!   failed (a server that stops a batch early): the missing items are [`ItemResult::Missing`]
//!   and the answer is [`BatchAnswer::short`], never success for them;
//! - with one failure that answers no item of the request (no Unique Batch Item ID and no
//!   operation, or another operation): the message as a whole was refused
//!   ([`BatchAnswer::Refused`]), nothing in it was done.
//!
//! What to do then (one operation per message, remembered per server) is the caller's
//! business ([`super::KmipClient::batches_on`]).

use super::{ClientError, KmipClient, check_answer, failure, malformed, request_operation};
use crate::protocol::{
    BatchItems, ProtocolVersion, RequestBatchItem, RequestHeader, RequestMessage, RequestPayload,
    ResponseView, ResultReason, ResultStatus,
};
use crate::transport::Connection;
use crate::ttlv::ItemRef;

/// The outcome of one operation of a batch.
#[derive(Debug)]
pub(crate) enum ItemResult<T> {
    /// It succeeded; what the reader made of its payload.
    Done(T),
    /// The server refused it (classified as a one-operation refusal is).
    Failed(ClientError),
    /// No answer for it: the server stopped before it (after a failed operation) or returned
    /// fewer items than asked. It may or may not have been done.
    Missing,
}

/// A server's answer to a batch.
#[derive(Debug)]
pub(crate) enum BatchAnswer<T> {
    /// Item by item, in request order.
    Items {
        /// One result per operation asked, in the order asked.
        results: Vec<ItemResult<T>>,
        /// The server returned fewer items than asked (or than its Batch Count) without a
        /// failure that explains it.
        short: bool,
    },
    /// The message as a whole was refused (the server's error): nothing in it was done.
    Refused(ClientError),
}

/// Whether `error`, the refusal of one operation of a batch, may be the server refusing the
/// batch (Invalid Message, Feature or Operation Not Supported) or, for an operation on the ID
/// Placeholder (`on_placeholder`), the placeholder (Invalid Field, Item Not Found: it found no
/// object without an identifier) rather than the operation itself: worth finishing one
/// operation per message, where the same refusal, if it comes again, is the operation's own.
pub(crate) fn may_refuse_batching(error: &ClientError, on_placeholder: bool) -> bool {
    match error.refusal() {
        Some((
            _,
            ResultReason::INVALID_MESSAGE
            | ResultReason::FEATURE_NOT_SUPPORTED
            | ResultReason::OPERATION_NOT_SUPPORTED,
            _,
        )) => true,
        Some((_, ResultReason::INVALID_FIELD | ResultReason::ITEM_NOT_FOUND, _)) => on_placeholder,
        _ => false,
    }
}

/// What a batch refused as a whole says of its server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// It takes no batches: one operation per message from now on.
    Batches,
    /// It serves no ID Placeholder (a batch using it was refused): new keys by identifier.
    Placeholder,
}

impl KmipClient {
    /// The results of `answer` in request order, after remembering what it showed of the
    /// server of `conn`: a batch refused as a whole (`None`; `refusal` says what it means) or
    /// answered only in part (one operation per message from now on).
    pub(crate) fn results_of<T>(
        &self,
        conn: &Connection,
        answer: BatchAnswer<T>,
        refusal: Refusal,
    ) -> Option<std::vec::IntoIter<ItemResult<T>>> {
        match answer {
            BatchAnswer::Refused(e) => {
                self.refused(conn, refusal, &e);
                None
            }
            BatchAnswer::Items { results, short } => {
                if short {
                    self.one_at_a_time(conn, &"it answered only part of a batch");
                }
                Some(results.into_iter())
            }
        }
    }

    /// Remembers that the server of `conn` refused a batch (`error`) for the reason `refusal`.
    pub(crate) fn refused(&self, conn: &Connection, refusal: Refusal, error: &ClientError) {
        match refusal {
            Refusal::Batches => {
                self.one_at_a_time(conn, &format_args!("it refused a batch ({error})"));
            }
            Refusal::Placeholder => {
                self.no_placeholder(
                    conn,
                    &format_args!("it refused a placeholder batch ({error})"),
                );
            }
        }
    }

    /// Sends `payloads` as one batch on `conn` in `version` and reads the answer item by item:
    /// `read(index, payload, version, server)` reads the payload of the successful operation
    /// `index` in place, before the response buffer is wiped. Items are read in request order
    /// (so that a reader may use what an earlier item gave). A reply that answers another
    /// request, repeats an item, answers an operation with another, or that `read` cannot read
    /// is an error for the whole batch.
    pub(crate) fn exchange_batch<T>(
        &self,
        conn: &mut Connection,
        version: ProtocolVersion,
        payloads: Vec<RequestPayload>,
        mut read: impl FnMut(usize, ItemRef<'_>, ProtocolVersion, &str) -> Result<T, ClientError>,
    ) -> Result<BatchAnswer<T>, ClientError> {
        let count = payloads.len();
        let mut operations = Vec::with_capacity(count);
        let mut message = RequestMessage {
            header: RequestHeader::new(version, i32::try_from(count).unwrap_or(i32::MAX)),
            batch_items: BatchItems::new(),
        };
        let mut correlations = Vec::with_capacity(count);
        for payload in payloads {
            let operation = request_operation(conn.server(), &payload)?;
            let mut item = RequestBatchItem::new(payload).map_err(|e| {
                ClientError::protocol(conn.server(), format!("cannot encode {operation}: {e}"))
            })?;
            let correlation = self.inner.batch_item_ids.next();
            item.unique_batch_item_id = Some(correlation.to_vec());
            correlations.push(correlation);
            operations.push(operation);
            message.batch_items.push(item);
        }
        message.header.batch_order_option = Some(true);
        let idempotent = operations.iter().all(|op| super::is_idempotent(*op));
        let mut buffers = conn.take_buffers();
        let result = (|| {
            let (request, response) = buffers.parts();
            message.encode(request).map_err(|e| {
                ClientError::protocol(conn.server(), format!("cannot encode a batch: {e}"))
            })?;
            drop(message);
            self.send(conn, idempotent, request, response)?;
            let server = conn.server();
            let first = operations[0];
            let view = ResponseView::decode(response, &self.inner.limits)
                .map_err(|e| malformed(server, first, &e))?;
            let mut answered: Vec<Option<usize>> = vec![None; count];
            for (position, item) in view.batch_items.iter().enumerate() {
                let index = match item.unique_batch_item_id {
                    Some(id) => {
                        correlations
                            .iter()
                            .position(|c| c[..] == *id)
                            .ok_or_else(|| {
                                ClientError::protocol(
                                    server,
                                    "response to another request received for a batch \
                             (a Unique Batch Item ID the batch did not use)",
                                )
                            })?
                    }
                    None if item.operation == operations.get(position).copied() => position,
                    None if item.result_status != ResultStatus::SUCCESS
                        && view.batch_items.len() == 1 =>
                    {
                        // One failure answering no operation of ours: the message was refused.
                        let operation = item.operation.unwrap_or(first);
                        return Ok(BatchAnswer::Refused(failure(
                            server,
                            operation,
                            item.result_status,
                            item,
                        )));
                    }
                    None => {
                        return Err(ClientError::protocol(
                            server,
                            "a batch answered with items that name no request",
                        ));
                    }
                };
                if answered[index].replace(position).is_some() {
                    return Err(ClientError::protocol(
                        server,
                        format!("the batch's {} was answered twice", operations[index]),
                    ));
                }
                check_answer(server, operations[index], item)?;
            }
            let mut results = Vec::with_capacity(count);
            let mut failed = false;
            for (index, position) in answered.iter().enumerate() {
                let operation = operations[index];
                let Some(position) = *position else {
                    results.push(ItemResult::Missing);
                    continue;
                };
                let item = &view.batch_items[position];
                let result = match item.result_status {
                    ResultStatus::SUCCESS => match item.payload {
                        Some(payload) => ItemResult::Done(read(
                            index,
                            payload,
                            view.header.protocol_version,
                            server,
                        )?),
                        None => {
                            return Err(ClientError::protocol(
                                server,
                                format!("{operation} response has no payload"),
                            ));
                        }
                    },
                    status => {
                        failed = true;
                        ItemResult::Failed(failure(server, operation, status, item))
                    }
                };
                results.push(result);
            }
            let returned = view.batch_items.len();
            let claimed = usize::try_from(view.header.batch_count).unwrap_or(0);
            let short = (returned < count && !failed) || claimed != returned;
            if short {
                log::warn!(
                    "KMIP server {server} answered {returned} of {count} operations of a batch \
                     (its Batch Count says {claimed}); the rest are not taken as done"
                );
            }
            Ok(BatchAnswer::Items { results, short })
        })();
        conn.return_buffers(buffers);
        result
    }
}
