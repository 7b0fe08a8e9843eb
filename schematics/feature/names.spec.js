import { names } from './names.js';

describe('feature names', () => {
  it.each([
    ['invoices', 'invoice'],
    ['categories', 'category'],
    ['addresses', 'address'],
    ['boxes', 'box'],
    ['batches', 'batch'],
    ['keys', 'key'],
    ['purchase-orders', 'purchase-order'],
  ])('takes %s for the plural of %s', (plural, singular) => {
    expect(names(plural)).toMatchObject({ plural, singular });
  });

  it('spells a two-word resource every way the templates need', () => {
    expect(names('purchase-orders')).toEqual({
      plural: 'purchase-orders',
      singular: 'purchase-order',
      Plural: 'PurchaseOrders',
      Singular: 'PurchaseOrder',
      pluralCamel: 'purchaseOrders',
      singularCamel: 'purchaseOrder',
      table: 'purchase_orders',
      pluralWords: 'purchase orders',
      singularWords: 'purchase order',
      CONSTANT: 'PURCHASE_ORDER',
    });
  });

  it.each(['Invoices', 'invoice_items', 'invoices/', '2fa-codes', '', 'invoice'])(
    'refuses %j with a message',
    (name) => {
      expect(() => names(name)).toThrow(/plural|kebab/);
    },
  );
});
